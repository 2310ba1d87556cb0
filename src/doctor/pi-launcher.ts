/**
 * How a run will start pi, worked out without starting it: which file `piCli` names, and which
 * Node (if any) executes that file. Mirrors the transport: a `.js`/`.mjs`/`.cjs` path runs with
 * the harness's own Node; anything else is executed directly, so its `#!` line decides.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultPiCli } from '../agent/rpc/pi-launch.js';
import { findExecutable } from './executable.js';
import { errorMessage } from '../util/errors.js';

export type PiNode =
  /** The Node running the harness (`process.execPath`). */
  | { kind: 'harness' }
  /** `#!/usr/bin/env node` (or a shell shim): whichever `node` is first on PATH. */
  | { kind: 'path'; via: string }
  /** `#!/some/where/node`. */
  | { kind: 'absolute'; file: string }
  /** A native executable: no Node involved. */
  | { kind: 'none' };

export type PiLauncher =
  | { found: true; piCli: string; file: string; command: string; prefixArgs: string[]; node: PiNode }
  | { found: false; piCli: string; problem: string; fix: string };

const SCRIPT = /\.(c|m)?js$/;

async function readShebang(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    return text.startsWith('#!') ? text.slice(2).split('\n')[0]!.trim() : undefined;
  } finally {
    await handle.close();
  }
}

/** Which Node a `#!` line leads to. Unknown interpreters (shell shims) are assumed to use PATH. */
export function nodeFromShebang(shebang: string | undefined): PiNode {
  if (shebang === undefined) return { kind: 'none' };
  const words = shebang.split(/\s+/).filter((word) => word !== '-S' && !word.startsWith('-'));
  const interpreter = words[0] ?? '';
  if (path.basename(interpreter) === 'env') return { kind: 'path', via: `#!${shebang}` };
  if (/^node(js)?(\d+)?$/.test(path.basename(interpreter))) return { kind: 'absolute', file: interpreter };
  return { kind: 'path', via: `#!${shebang} (a wrapper script; assuming it runs the node on PATH)` };
}

export async function resolvePiLauncher(
  piCliSetting: string | undefined,
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<PiLauncher> {
  let piCli: string;
  try {
    piCli = piCliSetting ?? defaultPiCli();
  } catch (error) {
    return {
      found: false,
      piCli: '(the pi installed with pi-harness)',
      problem: errorMessage(error),
      fix: 'reinstall pi-harness (npm install), or set piCli / PI_CLI to a pi executable',
    };
  }
  if (SCRIPT.test(piCli)) {
    const file = path.resolve(options.cwd, piCli);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile())
      return {
        found: false,
        piCli,
        problem: `${file} does not exist`,
        fix: 'fix piCli / PI_CLI, or unset it to use the pi installed with pi-harness',
      };
    return { found: true, piCli, file, command: process.execPath, prefixArgs: [file], node: { kind: 'harness' } };
  }
  const file = await findExecutable(piCli, options);
  if (file === undefined) {
    const where = piCli.includes('/')
      ? `${path.resolve(options.cwd, piCli)} is not an executable file`
      : `${piCli} is not on PATH`;
    return {
      found: false,
      piCli,
      problem: where,
      fix: 'fix piCli / PI_CLI, or unset it to use the pi installed with pi-harness',
    };
  }
  return { found: true, piCli, file, command: file, prefixArgs: [], node: nodeFromShebang(await readShebang(file)) };
}

/** pi's startup network switches, the same a run uses: a preflight must not phone home either. */
export const PI_QUIET_ENV = { PI_OFFLINE: '1', PI_SKIP_VERSION_CHECK: '1', PI_TELEMETRY: '0' } as const;
