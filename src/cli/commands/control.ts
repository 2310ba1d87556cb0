/**
 * `pi-harness pause | resume | stop | skip [TASK] | retry TASK | steer "TEXT"`: one request to the
 * active run of this repository, through its control inbox. Exit 0 once the run has journaled
 * `control_received`; 1 when no run is active or it does not answer within --wait seconds (10);
 * 2 when TASK names no task (or several).
 */
import type { Config } from '../../config/load.js';
import { newControlId, parseControlRequest, type ControlRequest } from '../../control/request.js';
import { sendControl } from '../../control/send.js';
import { findRun } from '../../report/active-run.js';
import { loadTaskFile, matchTask } from '../../tasks/index.js';
import type { ControlAction } from '../../vocabulary/control.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface ControlArgs {
  action: ControlAction;
  task?: string;
  text?: string;
  /** Seconds to wait for the run's acknowledgement (default 10). */
  wait?: string;
}

/** How long `control_applied` may take and still be shown (a steer or a retry settles at once). */
const SHOW_APPLIED_WITHIN_MS = 1500;

/** The task id TASK names in the task file, or an error message. */
async function resolveTask(config: Config, name: string): Promise<{ id: string } | { error: string }> {
  const { file } = await loadTaskFile(config.taskFile);
  const match = matchTask(file.tasks, name);
  if (match.kind === 'found') return { id: match.task.id };
  if (match.kind === 'none') return { error: `no task in ${config.taskFile} matches "${name}"` };
  const listed = match.candidates.slice(0, 8).map((task) => `  ${task.id}  ${task.text}`);
  return { error: `"${name}" matches ${match.candidates.length} tasks; name one by id:\n${listed.join('\n')}` };
}

function waitSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return 10;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 && seconds <= 600 ? seconds : undefined;
}

async function buildRequest(config: Config, args: ControlArgs, io: CliIo): Promise<ControlRequest | undefined> {
  let task: string | undefined;
  if (args.task !== undefined) {
    const resolved = await resolveTask(config, args.task);
    if ('error' in resolved) {
      io.stderr(`pi-harness ${args.action}: ${resolved.error}\n`);
      return undefined;
    }
    task = resolved.id;
  }
  const parsed = parseControlRequest({
    id: newControlId(),
    action: args.action,
    source: 'cli',
    ...(task ? { task } : {}),
    ...(args.text !== undefined ? { text: args.text } : {}),
  });
  if (!parsed.ok) {
    io.stderr(`pi-harness ${args.action}: ${parsed.error}\n`);
    return undefined;
  }
  return parsed.request;
}

export async function controlCommand(config: Config, io: CliIo, args: ControlArgs): Promise<ExitCode> {
  const name = `pi-harness ${args.action}`;
  const wait = waitSeconds(args.wait);
  if (wait === undefined) {
    io.stderr(`${name}: --wait expects a number of seconds between 0 and 600 (got ${JSON.stringify(args.wait)})\n`);
    return EXIT.usage;
  }
  const run = await findRun(config);
  if (run.kind !== 'active') {
    const stale = run.stale ? ` (a lock is left from run ${run.stale.runId ?? '?'}: ${run.stale.reason})` : '';
    io.stderr(`${name}: no run is active in ${config.repoRoot}${stale}\n`);
    return EXIT.iterationFailed;
  }
  const request = await buildRequest(config, args, io);
  if (!request) return EXIT.usage;
  const { holder } = run;
  const result = await sendControl({
    inboxDir: run.inboxDir,
    journal: run.journal,
    request,
    waitMs: wait * 1000,
    appliedWithinMs: SHOW_APPLIED_WITHIN_MS,
  });
  if (result.kind === 'timeout') {
    io.stderr(
      `${name}: run ${holder.runId} (pid ${holder.pid}) did not acknowledge the request within ${wait}s; ` +
        (result.withdrawn ? 'it was withdrawn and will not apply\n' : 'the run took it but never said so\n'),
    );
    return EXIT.iterationFailed;
  }
  io.stdout(`${args.action}: received by run ${holder.runId} — ${result.received.detail ?? ''}\n`);
  const applied = result.applied;
  if (applied)
    io.stdout(`${args.action}: ${applied.result === 'applied' ? 'done' : applied.result} — ${applied.detail ?? ''}\n`);
  return EXIT.ok;
}
