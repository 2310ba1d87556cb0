/**
 * `npm run screenshots`: the README's pictures of the dashboard, taken from the demo so they stay
 * current. Runs `pi-harness demo --dashboard` (built CLI), opens the page in Debian's chromium, and
 * saves docs/images/dashboard-live.png (a turn in flight), dashboard.png (the finished run) and
 * dashboard-phone.png (phone width), then stops the demo with Ctrl-C as a person would.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const images = path.join(root, 'docs', 'images');
const token = `screenshots-${Date.now()}`;

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = check();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

await mkdir(images, { recursive: true });
const dir = await mkdtemp(path.join(tmpdir(), 'pi-harness-screenshots-'));
const demo = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'demo', '--dir', dir, '--dashboard'], {
  cwd: dir,
  env: { ...process.env, PI_HARNESS_DASHBOARD_TOKEN: token },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
demo.stdout.on('data', (chunk) => {
  output += chunk.toString();
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const url = await until(() => /dashboard: (http:\/\/\S+)/.exec(output)?.[1], 60_000, 'the dashboard line');
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(url);
  try {
    await page.getByTestId('tool-calls').locator('li').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(images, 'dashboard-live.png') });
  } catch {
    console.warn('no turn was caught in flight: dashboard-live.png not updated');
  }
  await until(() => output.includes('keeps serving'), 180_000, 'the end of the demo');
  await page.reload();
  await page.getByTestId('iterations').locator('tbody tr').first().waitFor();
  // The charts' series and library come after the first render.
  await page.getByTestId('charts').locator('canvas').first().waitFor();
  await sleep(500);
  await page.screenshot({ path: path.join(images, 'dashboard.png'), fullPage: true });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await phone.goto(url);
  await phone.getByTestId('tasks').waitFor();
  await phone.screenshot({ path: path.join(images, 'dashboard-phone.png') });
  console.log(`screenshots written to ${path.relative(root, images)}`);
} finally {
  await browser.close();
  demo.kill('SIGINT');
}
