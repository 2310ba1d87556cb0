/**
 * pi itself: can the configured pi be started, which version is it, and is the Node that runs it
 * new enough (pi 0.87 needs >= 22.19; an older Node fails at startup with a syntax error that
 * says nothing about versions).
 */
import path from 'node:path';
import { bundledPiVersion, defaultPiCli } from '../agent/rpc/pi-launch.js';
import { findExecutable } from './executable.js';
import { PI_QUIET_ENV, type PiNode } from './pi-launcher.js';
import { errorLine, spawnCapture } from './spawn-capture.js';
import { defineCheck, type CheckContext } from './types.js';

export const MIN_NODE = '22.19.0';

/** The bundled pi's version when `file` is the pi installed with pi-harness; undefined for any other pi. */
function bundledVersionOf(file: string): string | undefined {
  try {
    return path.resolve(file) === path.resolve(defaultPiCli()) ? bundledPiVersion() : undefined;
  } catch {
    return undefined;
  }
}

/** True when `version` (e.g. `v24.1.0`) is at least `minimum` (e.g. `22.19.0`). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (text: string) =>
    text
      .replace(/^v/, '')
      .split(/[.+-]/)
      .slice(0, 3)
      .map((part) => Number.parseInt(part, 10) || 0);
  const have = parse(version);
  const need = parse(minimum);
  for (let i = 0; i < 3; i++) {
    const difference = (have[i] ?? 0) - (need[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

const NOT_NEEDED = 'not needed: transport is "mock" (no model, pi is not started)';

async function nodeVersion(
  node: Exclude<PiNode, { kind: 'none' }>,
  context: CheckContext,
): Promise<{ version?: string; file?: string; problem?: string }> {
  if (node.kind === 'harness') return { version: process.version, file: process.execPath };
  const file =
    node.kind === 'absolute'
      ? node.file
      : await findExecutable('node', { env: context.env, cwd: context.config.repoRoot });
  if (file === undefined)
    return { problem: `pi starts with ${node.kind === 'path' ? node.via : 'node'}, but there is no node on PATH` };
  const run = await spawnCapture(file, ['--version'], {
    cwd: context.config.repoRoot,
    env: context.env,
    timeoutMs: context.timeouts.spawnMs,
  });
  if (run.code !== 0)
    return {
      file,
      problem: `${file} --version failed (${run.startError ?? (run.timedOut ? 'timed out' : `exit ${run.code}`)})`,
    };
  return { file, version: run.stdout.trim() };
}

export const nodeCheck = defineCheck('node', 'node', async (context, report) => {
  if (context.config.transport === 'mock')
    return report('ok', `${NOT_NEEDED}; the harness runs on Node ${process.version}`);
  const launcher = await context.launcher();
  if (!launcher.found) return report('warn', 'not checked: pi was not found (see the pi check)');
  if (launcher.node.kind === 'none')
    return report('ok', `pi is a native executable (${launcher.file}); no Node involved`);
  const found = await nodeVersion(launcher.node, context);
  if (found.version === undefined) {
    return report(
      'fail',
      found.problem ?? 'the Node that runs pi could not be found',
      `install Node >= ${MIN_NODE}, or point piCli at a pi that runs with it`,
    );
  }
  const which = launcher.node.kind === 'harness' ? 'the Node running pi-harness' : found.file;
  if (!versionAtLeast(found.version, MIN_NODE)) {
    return report(
      'fail',
      `pi would run on Node ${found.version} (${which}); pi needs >= ${MIN_NODE}`,
      `install Node >= ${MIN_NODE} (e.g. with nvm or your package manager) and make it the first node on PATH`,
    );
  }
  return report('ok', `${found.version} runs pi (${which})`);
});

export const piCliCheck = defineCheck('pi', 'pi CLI', async (context, report) => {
  if (context.config.transport === 'mock') return report('ok', NOT_NEEDED);
  const launcher = await context.launcher();
  if (!launcher.found) return report('fail', `pi cannot be started: ${launcher.problem}`, launcher.fix);
  const bundled =
    context.trustBundledPi && launcher.node.kind === 'harness' ? bundledVersionOf(launcher.file) : undefined;
  if (bundled !== undefined) return report('ok', `pi ${bundled} (${launcher.file}, installed with pi-harness)`);
  const run = await spawnCapture(launcher.command, [...launcher.prefixArgs, '--version'], {
    cwd: context.config.repoRoot,
    env: { ...context.env, ...PI_QUIET_ENV },
    timeoutMs: context.timeouts.spawnMs,
  });
  if (run.code !== 0) {
    const why =
      run.startError ??
      (run.timedOut
        ? `no answer within ${context.timeouts.spawnMs / 1000} s`
        : errorLine(run.stderr) || `exit ${run.code}`);
    return report(
      'fail',
      `\`${launcher.file} --version\` failed: ${why}`,
      'if the node check failed, fix that first; otherwise check that this is a working pi, or unset piCli / PI_CLI to use the pi installed with pi-harness',
    );
  }
  return report('ok', `pi ${run.stdout.trim().split('\n').at(-1) ?? '?'} (${launcher.file})`);
});
