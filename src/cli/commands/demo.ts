/**
 * `demo`: the whole loop, offline, in a throwaway repo on a built-in scripted model. The loop is
 * the ordinary `run` through loopCommand, so Ctrl-C behaves exactly as in a real run: the first
 * signal stops the turn in flight and keeps its work, a second one quits at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { DemoDirError, gitAvailable } from '../../demo/repo.js';
import { MIN_NODE, versionAtLeast } from '../../doctor/check-pi.js';
import { prepareDemo, type DemoOptions } from '../../demo/run-demo.js';
import { openDashboard, untilInterrupted } from './dashboard.js';
import { loopCommand } from './loop.js';

export type { DemoOptions };

/** The demo's run, with the dashboard when asked for: it keeps serving after the demo until Ctrl-C. */
async function runDemo(demo: Awaited<ReturnType<typeof prepareDemo>>, io: CliIo, withDashboard: boolean) {
  const dashboard = withDashboard ? await openDashboard(demo.config, io, {}) : undefined;
  try {
    const code = await loopCommand('run', demo.config, demo.loopIo, dashboard);
    await demo.finish(code);
    if (dashboard) {
      io.stdout(`\nThe dashboard keeps serving the demo's run at the address above; Ctrl-C to stop it.\n`);
      await untilInterrupted();
    }
    return code;
  } finally {
    await dashboard?.close();
  }
}

export async function demoCommand(options: DemoOptions, io: CliIo): Promise<ExitCode> {
  // pi runs on this same Node; an older one dies at startup with a syntax error that names no version.
  if (!versionAtLeast(process.version, MIN_NODE)) {
    // In a clone, `npm install` brought Node 24 (a devDependency) and `npm run demo` uses it.
    const root = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));
    const hint = existsSync(path.join(root, 'node_modules', '.bin', 'node'))
      ? ` Or, in ${root}, run \`npm run demo\`: it uses the newer Node that \`npm install\` put in node_modules/.bin.`
      : '';
    io.stderr(
      `pi-harness demo: Node ${process.version} is too old; pi needs Node >= ${MIN_NODE}. Install a newer Node and try again.${hint}\n`,
    );
    return EXIT.preflight;
  }
  if (!(await gitAvailable())) {
    io.stderr('pi-harness demo: git is needed and could not be run; install git and try again.\n');
    return EXIT.preflight;
  }
  let demo: Awaited<ReturnType<typeof prepareDemo>>;
  try {
    demo = await prepareDemo(options, io);
  } catch (error) {
    if (!(error instanceof DemoDirError)) throw error;
    io.stderr(`pi-harness demo: ${error.message}\n`);
    return EXIT.usage;
  }
  try {
    return await runDemo(demo, io, options.dashboard === true);
  } finally {
    await demo.close();
  }
}
