/**
 * Debian's chromium driven by playwright-core (never a browser download). Missing chromium skips the
 * browser tests locally with a message saying so; under CI (CI=true) it fails them: CI installs it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. Throws under CI: a missing
 * chromium there is a broken CI image, never a reason to skip.
 */
export function browserMissing(executable = CHROMIUM, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (existsSync(executable)) return undefined;
  const message = `${executable} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;
  if (env.CI === 'true' || env.CI === '1') throw new Error(`CI: ${message}`);
  console.warn(`skipping the browser tests: ${message}`);
  return message;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
