/**
 * `pi-harness clear-history [--yes] [--refs]`: removes what the harness wrote — the runtime
 * directory and every configured harness file — and nothing else. See docs/report.md for the rules.
 *
 * Exit codes: 0 removed (or nothing to remove, or the user said no); 1 something could not be
 * removed; 2 a configured path failed a safety check, or confirmation was needed and no terminal
 * was there to give it (nothing removed); 3 a live run holds the lock.
 */
import path from 'node:path';
import { processIo, type CliIo } from '../io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Config } from '../../config/load.js';
import { terminalConfirm, type Confirm } from '../../clear-history/confirm.js';
import { displayPath, keptRefsLine, refusalLines, targetLines } from '../../clear-history/describe.js';
import { planClear, refused, toRemove } from '../../clear-history/plan.js';
import { deleteRefs, listHarnessRefs } from '../../clear-history/refs.js';
import { removeTargets } from '../../clear-history/remove.js';
import { readRunLock } from '../../report/live-run.js';
import { harnessHome, type HarnessHome } from '../../runtime/harness-home.js';
import { LockHeldError } from '../../runtime/lock.js';
import { describeHolder } from '../../runtime/lock-record.js';

export interface ClearHistoryOptions {
  yes?: boolean;
  refs?: boolean;
  /** Asks the user. Default: the terminal, when this process's own stdin and stdout are one. */
  confirm?: Confirm;
}

function lockedMessage(holder: string): string {
  return `pi-harness clear-history: ${holder} is active; nothing was removed. Wait for it to finish or stop it first.\n`;
}

/** Why clear-history may not start: a live run (3), or a lock of a newer version (2). */
async function lockRefusal(home: HarnessHome, io: CliIo): Promise<ExitCode | undefined> {
  const lock = await readRunLock(home);
  if (lock.kind === 'live') {
    const { runId, pid, command, status } = lock.holder;
    io.stderr(lockedMessage(`run ${runId} (pid ${pid}, ${command}, ${status})`));
    return EXIT.locked;
  }
  if (lock.kind !== 'newer') return undefined;
  io.stderr(
    `pi-harness clear-history: ${home.lockFile} was written by a newer pi-harness (format version ` +
      `${lock.version}); nothing was removed. Use the newer pi-harness here.\n`,
  );
  return EXIT.usage;
}

export async function runClearHistory(config: Config, io: CliIo, options: ClearHistoryOptions): Promise<ExitCode> {
  const say = (line = '') => io.stdout(`${line}\n`);
  const home = await harnessHome(config);
  const refusal = await lockRefusal(home, io);
  if (refusal !== undefined) return refusal;
  const plan = await planClear(config, home);
  const blocked = refused(plan);
  if (blocked.length > 0) {
    io.stderr(
      `pi-harness clear-history: refusing; nothing was removed. These configured paths are not safe to remove:\n${refusalLines(config.repoRoot, blocked).join('\n')}\nChange these settings (config file or environment) so they point into the harness's own directory, then try again.\n`,
    );
    return EXIT.usage;
  }
  const targets = toRemove(plan);
  const refs = options.refs ? plan.refs : [];
  say(`pi-harness clear-history — ${config.repoRoot}`);
  if (targets.length === 0 && refs.length === 0) {
    say('Nothing to remove: no harness files are present.');
    const kept = options.refs ? undefined : keptRefsLine(plan);
    if (kept) say(`Kept:\n${kept}`);
    return EXIT.ok;
  }
  say(options.yes ? 'Removing:' : 'Would remove:');
  for (const line of targetLines(config.repoRoot, targets)) say(line);
  if (refs.length > 0)
    say(`  ${refs.length} ref(s) under refs/pi-harness/ (including rescue refs: the work of failed iterations)`);
  const kept = options.refs ? undefined : keptRefsLine(plan);
  say(`Kept:${kept ? `\n${kept}` : ''}\n  the task file, instruction files and every file git tracks`);

  if (!options.yes) {
    const confirm = options.confirm ?? (io.stdout === processIo.stdout ? terminalConfirm() : undefined);
    if (!confirm) {
      io.stderr(
        'pi-harness clear-history: nothing removed — there is no terminal to confirm on; run `pi-harness clear-history --yes` to remove the above.\n',
      );
      return EXIT.usage;
    }
    if (!(await confirm('Remove these? [y/N] '))) {
      say('Nothing removed.');
      return EXIT.ok;
    }
  }

  let remaining: string[];
  try {
    ({ remaining } = await removeTargets(targets, home.lockFile, config.repoRoot));
  } catch (error) {
    if (error instanceof LockHeldError) {
      io.stderr(lockedMessage(describeHolder(error.holder)));
      return EXIT.locked;
    }
    throw error;
  }
  if (refs.length > 0) await deleteRefs(config.repoRoot, refs);
  const refsLeft = refs.length > 0 ? (await listHarnessRefs(config.repoRoot)).filter((ref) => refs.includes(ref)) : [];

  const gone = targets.filter((target) => !remaining.includes(target.path));
  const removed = [
    ...(gone.length > 0 || refs.length === 0 ? [`${gone.length} path(s)`] : []),
    ...(refs.length > 0 ? [`${refs.length - refsLeft.length} ref(s)`] : []),
  ];
  say(`Removed ${removed.join(' and ')}${gone.length > 0 ? ':' : '.'}`);
  for (const target of gone) say(`  ${displayPath(config.repoRoot, target)}`);
  if (remaining.length > 0 || refsLeft.length > 0) {
    io.stderr(
      `pi-harness clear-history: still present after removal:\n${[...remaining.map((file) => path.relative(config.repoRoot, file)), ...refsLeft].map((item) => `  ${item}`).join('\n')}\n`,
    );
    return EXIT.iterationFailed;
  }
  say('Checked: every removed path is gone.');
  return EXIT.ok;
}
