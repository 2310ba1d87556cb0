/** Decoded journal events of a parallel run, for the fold, status and report tests. */
import type { ReadEvent } from '../../../src/journal/decode.js';
import { JournalFold } from '../../../src/journal/fold/fold.js';

export const usage = (input: number) => ({ input, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 });
export const task = (n: number) => ({ id: `t-${n}`, text: `Task ${n}`, phase: 'One', line: n });

/** Events as the journal decodes them: one sequence, each stamped with its worker (or none). */
export function events(): (body: Record<string, unknown>, worker?: string) => ReadEvent {
  let seq = 0;
  return (body, worker) => {
    seq += 1;
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
    return { v: 1, runId: 'r', seq, at, ...body, ...(worker ? { worker } : {}) } as ReadEvent;
  };
}

export function start(e: ReturnType<typeof events>, worker: string, n: number): ReadEvent[] {
  return [
    e(
      {
        type: 'worker_start',
        worker,
        iteration: n,
        task: task(n),
        baseCommit: 'b',
        branch: `br${n}`,
        worktree: `wt${n}`,
      },
      worker,
    ),
    e({ type: 'iteration_start', iteration: n, task: task(n), startCommit: 'b', preDirty: [] }, worker),
  ];
}

export function ended(e: ReturnType<typeof events>, worker: string, n: number, status: string): ReadEvent {
  const recorded = status;
  return e(
    { type: 'iteration_end', iteration: n, task: task(n), status, recorded, reason: 'x', usage: usage(10) },
    worker,
  );
}

/** Two workers whose turns interleave: w1's tools and usage never land in w2's turn, nor the other way round. */
export function interleaved(): ReadEvent[] {
  const e = events();
  return [
    e({ type: 'run_start', command: 'run', pid: 1, repoRoot: '/r', version: '0', transport: 'rpc' }),
    e({ type: 'task_list', tasks: [1, 2, 3].map((n) => ({ ...task(n), done: false, parked: false })) }),
    ...start(e, 'w1', 1),
    e({ type: 'turn_start', iteration: 1, role: 'developer', step: 'developer', model: 'm-dev' }, 'w1'),
    ...start(e, 'w2', 2),
    e({ type: 'turn_start', iteration: 2, role: 'tester', step: 'tester', model: 'm-test' }, 'w2'),
    e({ type: 'tool_start', iteration: 1, role: 'developer', name: 'edit', path: 'a.ts' }, 'w1'),
    e({ type: 'turn_usage', iteration: 2, role: 'tester', usage: usage(100), modelRequests: 1 }, 'w2'),
    e({ type: 'tool_start', iteration: 2, role: 'tester', name: 'read', path: 'b.ts' }, 'w2'),
    e({ type: 'tool_start', iteration: 1, role: 'developer', name: 'bash', command: 'ls' }, 'w1'),
    e({ type: 'turn_usage', iteration: 1, role: 'developer', usage: usage(7), modelRequests: 1 }, 'w1'),
  ];
}

export function foldOf(list: ReadEvent[]): JournalFold {
  const fold = new JournalFold('r');
  for (const event of list) fold.apply(event);
  return fold;
}
