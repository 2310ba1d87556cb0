/**
 * How pi is launched: which binary, which flags, which settings. Flags verified against
 * `pi --help` of @earendil-works/pi-coding-agent 0.87.1.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject } from '../../util/json.js';
import type { ThinkingLevel } from '../types.js';

const PI_PACKAGE = '@earendil-works/pi-coding-agent';

/** The pi CLI installed as our dependency (its package.json `bin.pi`). */
export function defaultPiCli(): string {
  const pkgPath = findPiPackageJson();
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.pi;
  if (!bin) throw new Error(`${PI_PACKAGE} declares no "pi" bin`);
  return join(dirname(pkgPath), bin);
}

/** The version of the pi installed with pi-harness, from its package.json (no process started). */
export function bundledPiVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(findPiPackageJson(), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The package does not export ./package.json, so resolve its main entry and walk up to the
 * package root; fall back to Node's node_modules lookup from this file when import.meta.resolve
 * is unavailable (some test runners).
 */
function findPiPackageJson(): string {
  const starts: string[] = [];
  try {
    starts.push(dirname(fileURLToPath(import.meta.resolve(PI_PACKAGE))));
  } catch {
    /* fall through */
  }
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    starts.push(join(dir, 'node_modules', ...PI_PACKAGE.split('/'), 'dist'));
    if (dirname(dir) === dir) break;
  }
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'package.json');
      if (existsSync(candidate)) {
        try {
          if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === PI_PACKAGE) return candidate;
        } catch {
          /* keep walking */
        }
      }
      if (dirname(dir) === dir || dir.endsWith(`${sep}node_modules`)) break;
    }
  }
  throw new Error(`cannot find the installed ${PI_PACKAGE}; pass piCli explicitly`);
}

export interface PiLaunchFlags {
  sessionDir: string;
  /** Resume this session (file path or id); omitted for a fresh session. */
  session?: string;
  model?: string;
  tools: readonly string[];
  thinking?: ThinkingLevel;
  noExtensions?: boolean;
  noSkills?: boolean;
  noPromptTemplates?: boolean;
  /** Extensions pi loads by absolute path (loaded even with noExtensions), e.g. the guardrails. */
  extensions?: readonly string[];
}

export function buildPiArgs(f: PiLaunchFlags): string[] {
  const args = ['--mode', 'rpc', '--session-dir', f.sessionDir];
  // Unattended: no network at startup (catalog refresh, version check) and no trust prompt —
  // RPC mode cannot ask, and project-local extensions must not load silently.
  args.push('--offline', '--no-approve');
  if (f.session !== undefined) args.push('--session', f.session);
  if (f.model !== undefined) args.push('--model', f.model);
  // An empty allowlist would mean "all tools" to a naive reader; say what we mean.
  if (f.tools.length > 0) args.push('--tools', f.tools.join(','));
  else args.push('--no-tools');
  if (f.thinking !== undefined) args.push('--thinking', f.thinking);
  if (f.noExtensions) args.push('--no-extensions');
  if (f.noSkills) args.push('--no-skills');
  if (f.noPromptTemplates) args.push('--no-prompt-templates');
  for (const extension of f.extensions ?? []) args.push('--extension', extension);
  return args;
}

/**
 * Switches pi's own retries off; the transport retries instead (outer-retry.ts). pi's agent-level
 * retry waits `baseDelayMs · 2^(n−1)` whatever the provider asked for and never retries quota /
 * usage-window errors; its provider-level retry (`retry.provider.maxRetries`) does honour
 * `retry-after`, but sleeps without any event, so the wait would be unrecorded and look like a
 * stall to the watchdog (and a stated wait above `maxRetryDelayMs` fails instead of being capped).
 * Both are forced to 0 here, also over a user's copied settings. Written only into a private agent
 * directory; a user's own ~/.pi is never modified.
 */
export function writeRetrySettings(agentDir: string): void {
  mkdirSync(agentDir, { recursive: true });
  const file = join(agentDir, 'settings.json');
  let settings: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (isObject(parsed)) settings = parsed;
    } catch {
      // A corrupt private settings file is ours to replace.
    }
  }
  const previous = isObject(settings.retry) ? settings.retry : {};
  const ours = piRetrySettings().retry;
  settings.retry = {
    ...previous,
    ...ours,
    provider: { ...(isObject(previous.provider) ? previous.provider : {}), ...ours.provider },
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** pi `settings.json` fragment that leaves all retrying to the transport. */
export function piRetrySettings(): { retry: { enabled: false; maxRetries: 0; provider: { maxRetries: 0 } } } {
  return { retry: { enabled: false, maxRetries: 0, provider: { maxRetries: 0 } } };
}
