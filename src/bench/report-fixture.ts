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

interface FixtureTask {
  id: string;
  text: string;
  phase: string;
  line: number;
}

/** How one fixture iteration ends. */
interface Ending {
  status: string;
  reason: string;
}

export async function writeHistory(
  runtimeDir: string,
  shape: FixtureShape,
): Promise<{ iterations: number; lines: number; bytes: number }> {
  const history = new HistoryWriter(runtimeDir);
  let lines = 0;
  let bytes = 0;
  for (let run = 0; run < shape.runs; run++) {
    const written = await history.writeRun(run, shape.iterationsPerRun);
    lines += written.lines;
    bytes += written.bytes;
  }
  await history.writeState();
  return { iterations: history.iteration, lines, bytes };
}

/**
 * Generates the runs one after another. The order of the random draws is the history: reordering
 * them changes every value after it.
 */
class HistoryWriter {
  private readonly runtimeDir: string;
  private readonly rand = random(42);
  private clock = Date.parse('2026-10-01T22:00:00Z');
  iteration = 0;
  /** The run being written. */
  private runId = '';
  private events: string[] = [];
  private seq = 0;

  constructor(runtimeDir: string) {
    this.runtimeDir = runtimeDir;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  private usage(scale: number) {
    return {
      input: Math.round(scale * (5000 + this.rand() * 20000)),
      output: Math.round(scale * (200 + this.rand() * 2000)),
      cacheRead: Math.round(this.rand() * 10000),
      cacheWrite: 0,
      cost: this.rand() * 0.05 * scale,
    };
  }

  private add(body: Body): void {
    this.clock += Math.round(500 + this.rand() * 20_000);
    const at = new Date(this.clock).toISOString();
    this.events.push(JSON.stringify({ v: 1, runId: this.runId, at, seq: ++this.seq, ...body }));
  }

  async writeRun(run: number, iterations: number): Promise<{ lines: number; bytes: number }> {
    const stamp = new Date(this.clock)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    this.runId = `${stamp}-${(0xa00000 + run).toString(16)}`;
    this.events = [];
    this.seq = 0;
    this.add({ type: 'run_start', command: 'run', pid: 4242, repoRoot: '/repo', transport: 'rpc', version: '0.1.0' });
    let succeeded = 0;
    for (let i = 0; i < iterations; i++) {
      if (this.writeIteration()) succeeded += 1;
    }
    this.add({
      type: 'run_end',
      exitCode: succeeded === iterations ? 0 : 1,
      reason: `maxIterations (${iterations}) reached`,
      iterations,
      succeeded,
    });
    const dir = path.join(this.runtimeDir, 'runs', this.runId);
    await mkdir(dir, { recursive: true });
    const text = `${this.events.join('\n')}\n`;
    await writeFile(path.join(dir, 'journal.jsonl'), text);
    this.clock += 6 * 3600_000;
    return { lines: this.events.length, bytes: Buffer.byteLength(text) };
  }

  /** One iteration's events; true when it committed. */
  private writeIteration(): boolean {
    this.iteration += 1;
    const iteration = this.iteration;
    const task: FixtureTask = {
      id: `task-${iteration % 400}`,
      text: `Implement feature number ${iteration % 400} of the parser with proper error messages`,
      phase: `Phase ${1 + (iteration % 7)}`,
      line: 10 + (iteration % 400),
    };
    this.add({ type: 'iteration_start', iteration, task, startCommit: 'f'.repeat(40), preDirty: [] });
    const roll = this.rand();
    this.turn('developer', 1, 4 + Math.floor(this.rand() * 8));
    const developed = this.develop(roll);
    const ending = developed.status === 'succeeded' ? (this.review(roll) ?? developed) : developed;
    const commit =
      ending.status === 'succeeded' ? createHash('sha1').update(`commit ${iteration}`).digest('hex') : undefined;
    this.keepWork(commit);
    this.add({
      type: 'iteration_end',
      iteration,
      task,
      status: ending.status,
      reason: ending.reason,
      durationMs: Math.round(60_000 + this.rand() * 600_000),
      usage: this.usage(2.5),
      ...(commit ? { commit } : {}),
    });
    return ending.status === 'succeeded';
  }

  /** Verification after the developer, a developerFix round, or a stalled retry. */
  private develop(roll: number): Ending {
    if (roll < 0.15) {
      this.verify('failed');
      this.turn('developerFix', 0.7, 3);
      this.verify(roll < 0.05 ? 'failed' : 'passed');
      return roll < 0.05
        ? { status: 'failed', reason: 'verification_failed' }
        : { status: 'succeeded', reason: 'committed' };
    }
    if (roll < 0.2) {
      this.turn('developerRetry', 0.2, 1, 'stalled', 'no_event_timeout');
      return { status: 'stalled', reason: 'developer_stalled' };
    }
    this.verify('passed');
    return { status: 'succeeded', reason: 'committed' };
  }

  /** The tester's turn and verdict; the failure a FAIL ends the iteration with. */
  private review(roll: number): Ending | undefined {
    this.turn('tester', 0.8, 2);
    const verdict = roll > 0.95 ? 'FAIL' : 'PASS';
    this.add({
      type: 'verdict',
      iteration: this.iteration,
      verdict,
      recheck: false,
      findings: verdict === 'FAIL' ? 'The error message for an unclosed string is missing.' : '',
    });
    return verdict === 'FAIL' ? { status: 'failed', reason: 'tester_failed_twice' } : undefined;
  }

  /** A commit for a success, a rescue ref for anything else. */
  private keepWork(commit: string | undefined): void {
    const iteration = this.iteration;
    if (commit) {
      this.add({
        type: 'commit',
        iteration,
        commit,
        by: 'agent',
        files: [this.pick(FILES), 'TODOS.md'],
        message: `Implement feature ${iteration % 400}`,
        tickedByHarness: false,
      });
      return;
    }
    this.add({
      type: 'rescue',
      iteration,
      ref: `refs/pi-harness/rescue/${this.runId}/${iteration}`,
      commit: 'e'.repeat(40),
      patchFile: path.join(this.runtimeDir, 'rescue', `${this.runId}-iteration-${iteration}.patch`),
      files: [this.pick(FILES)],
    });
  }

  private turn(role: string, scale: number, tools: number, status = 'success', terminalReason = 'completed'): void {
    const iteration = this.iteration;
    this.add({
      type: 'turn_start',
      iteration,
      role,
      step: role,
      promptBytes: 4000 + Math.round(this.rand() * 8000),
      model: role === 'tester' ? 'cloud/reviewer' : 'local/coder',
    });
    this.add({
      type: 'turn_end',
      iteration,
      role,
      status,
      terminalReason,
      usage: this.usage(scale),
      modelRequests: tools + 1,
      toolCalls: tools,
      toolErrors: 0,
      durationMs: Math.round(10_000 + this.rand() * 200_000),
      changedFiles: [this.pick(FILES)],
      sessionId: `s-${iteration}-${role}`,
    });
    for (let t = 0; t < tools; t++) {
      const name = this.pick(TOOLS);
      this.add({
        type: 'tool',
        iteration,
        role,
        name,
        ...(name === 'bash' ? {} : { path: this.pick(FILES) }),
        durationMs: Math.round(this.rand() * 3000),
        isError: this.rand() < 0.05,
      });
    }
  }

  private verify(outcome: string): void {
    this.add({
      type: 'verification',
      iteration: this.iteration,
      after: 'developer',
      outcome,
      exitCode: outcome === 'passed' ? 0 : 1,
      durationMs: Math.round(5000 + this.rand() * 60_000),
      command: 'npm test',
      outputTail: outcome === 'passed' ? '' : 'FAIL test/parser.test.ts\n  expected 3, got 4\n'.repeat(10),
    });
  }

  /** A state file with a dozen parked tasks. */
  async writeState(): Promise<void> {
    const at = new Date(this.clock).toISOString();
    const parked = Object.fromEntries(
      Array.from({ length: 12 }, (_, n) => [
        `task-${n}`,
        {
          attempts: 3,
          failures: 3,
          lastStatus: 'failed',
          lastReason: 'tester_failed_twice',
          lastAt: at,
          parked: true,
          parkedAt: at,
        },
      ]),
    );
    const state = {
      version: 1,
      tasks: parked,
      consecutiveFailures: 0,
      totalIterations: this.iteration,
      inProgress: null,
      updatedAt: at,
    };
    await writeFile(path.join(this.runtimeDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  }
}
