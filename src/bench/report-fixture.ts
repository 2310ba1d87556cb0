/**
 * A long, realistic history for the report benchmark: `runs` runs of `iterationsPerRun`
 * iterations each, in the journal shapes the loop writes — developer turns with their tool calls,
 * verification (sometimes failing, then a developerFix), tester verdicts, commits, and failed
 * iterations with rescue events; plus a state file with parked tasks. Deterministic (seeded).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FixtureShape {
  runs: number;
  iterationsPerRun: number;
}

/** A small deterministic PRNG (mulberry32): the same history every time. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILES = [
  'src/parser.ts',
  'src/lexer.ts',
  'src/cli/main.ts',
  'src/render/table.ts',
  'test/parser.test.ts',
  'README.md',
  'src/config.ts',
  'src/big-module.ts',
];
const TOOLS = ['read', 'read', 'edit', 'bash', 'write', 'find', 'ls'];

type Body = Record<string, unknown>;

export async function writeHistory(
  runtimeDir: string,
  shape: FixtureShape,
): Promise<{ iterations: number; lines: number; bytes: number }> {
  const rand = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const usage = (scale: number) => ({
    input: Math.round(scale * (5000 + rand() * 20000)),
    output: Math.round(scale * (200 + rand() * 2000)),
    cacheRead: Math.round(rand() * 10000),
    cacheWrite: 0,
    cost: rand() * 0.05 * scale,
  });
  let clock = Date.parse('2026-10-01T22:00:00Z');
  let iteration = 0;
  let lines = 0;
  let bytes = 0;
  for (let run = 0; run < shape.runs; run++) {
    const runId = `${new Date(clock)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${(0xa00000 + run).toString(16)}`;
    const events: string[] = [];
    let seq = 0;
    const add = (body: Body) => {
      clock += Math.round(500 + rand() * 20_000);
      events.push(JSON.stringify({ v: 1, runId, at: new Date(clock).toISOString(), seq: ++seq, ...body }));
    };
    add({ type: 'run_start', command: 'run', pid: 4242, repoRoot: '/repo', transport: 'rpc', version: '0.1.0' });
    let succeeded = 0;
    for (let i = 0; i < shape.iterationsPerRun; i++) {
      iteration += 1;
      const task = {
        id: `task-${iteration % 400}`,
        text: `Implement feature number ${iteration % 400} of the parser with proper error messages`,
        phase: `Phase ${1 + (iteration % 7)}`,
        line: 10 + (iteration % 400),
      };
      add({ type: 'iteration_start', iteration, task, startCommit: 'f'.repeat(40), preDirty: [] });
      const turn = (
        role: string,
        step: string,
        scale: number,
        tools: number,
        status = 'success',
        terminalReason = 'completed',
      ) => {
        add({
          type: 'turn_start',
          iteration,
          role,
          step,
          promptBytes: 4000 + Math.round(rand() * 8000),
          model: role === 'tester' ? 'cloud/reviewer' : 'local/coder',
        });
        add({
          type: 'turn_end',
          iteration,
          role,
          status,
          terminalReason,
          usage: usage(scale),
          modelRequests: tools + 1,
          toolCalls: tools,
          toolErrors: 0,
          durationMs: Math.round(10_000 + rand() * 200_000),
          changedFiles: [pick(FILES)],
          sessionId: `s-${iteration}-${role}`,
        });
        for (let t = 0; t < tools; t++) {
          const name = pick(TOOLS);
          add({
            type: 'tool',
            iteration,
            role,
            name,
            ...(name === 'bash' ? {} : { path: pick(FILES) }),
            durationMs: Math.round(rand() * 3000),
            isError: rand() < 0.05,
          });
        }
      };
      const roll = rand();
      turn('developer', 'developer', 1, 4 + Math.floor(rand() * 8));
      const verify = (outcome: string) =>
        add({
          type: 'verification',
          iteration,
          after: 'developer',
          outcome,
          exitCode: outcome === 'passed' ? 0 : 1,
          durationMs: Math.round(5000 + rand() * 60_000),
          command: 'npm test',
          outputTail: outcome === 'passed' ? '' : 'FAIL test/parser.test.ts\n  expected 3, got 4\n'.repeat(10),
        });
      let status = 'succeeded';
      let reason = 'committed';
      if (roll < 0.15) {
        verify('failed');
        turn('developerFix', 'developerFix', 0.7, 3);
        verify(roll < 0.05 ? 'failed' : 'passed');
        if (roll < 0.05) [status, reason] = ['failed', 'verification_failed'];
      } else if (roll < 0.2) {
        turn('developerRetry', 'developerRetry', 0.2, 1, 'stalled', 'no_event_timeout');
        [status, reason] = ['stalled', 'developer_stalled'];
      } else {
        verify('passed');
      }
      if (status === 'succeeded') {
        turn('tester', 'tester', 0.8, 2);
        const verdict = roll > 0.95 ? 'FAIL' : 'PASS';
        add({
          type: 'verdict',
          iteration,
          verdict,
          recheck: false,
          findings: verdict === 'FAIL' ? 'The error message for an unclosed string is missing.' : '',
        });
        if (verdict === 'FAIL') [status, reason] = ['failed', 'tester_failed_twice'];
      }
      const commit =
        status === 'succeeded' ? createHash('sha1').update(`commit ${iteration}`).digest('hex') : undefined;
      if (commit)
        add({
          type: 'commit',
          iteration,
          commit,
          by: 'agent',
          files: [pick(FILES), 'TODOS.md'],
          message: `Implement feature ${iteration % 400}`,
          tickedByHarness: false,
        });
      else
        add({
          type: 'rescue',
          iteration,
          ref: `refs/pi-harness/rescue/${runId}/${iteration}`,
          commit: 'e'.repeat(40),
          patchFile: path.join(runtimeDir, 'rescue', `${runId}-iteration-${iteration}.patch`),
          files: [pick(FILES)],
        });
      if (status === 'succeeded') succeeded += 1;
      add({
        type: 'iteration_end',
        iteration,
        task,
        status,
        reason,
        durationMs: Math.round(60_000 + rand() * 600_000),
        usage: usage(2.5),
        ...(commit ? { commit } : {}),
      });
    }
    add({
      type: 'run_end',
      exitCode: succeeded === shape.iterationsPerRun ? 0 : 1,
      reason: `maxIterations (${shape.iterationsPerRun}) reached`,
      iterations: shape.iterationsPerRun,
      succeeded,
    });
    const dir = path.join(runtimeDir, 'runs', runId);
    await mkdir(dir, { recursive: true });
    const text = `${events.join('\n')}\n`;
    await writeFile(path.join(dir, 'journal.jsonl'), text);
    lines += events.length;
    bytes += Buffer.byteLength(text);
    clock += 6 * 3600_000;
  }
  const parked = Object.fromEntries(
    Array.from({ length: 12 }, (_, n) => [
      `task-${n}`,
      {
        attempts: 3,
        failures: 3,
        lastStatus: 'failed',
        lastReason: 'tester_failed_twice',
        lastAt: new Date(clock).toISOString(),
        parked: true,
        parkedAt: new Date(clock).toISOString(),
      },
    ]),
  );
  const state = {
    version: 1,
    tasks: parked,
    consecutiveFailures: 0,
    totalIterations: iteration,
    inProgress: null,
    updatedAt: new Date(clock).toISOString(),
  };
  await writeFile(path.join(runtimeDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  return { iterations: iteration, lines, bytes };
}
