/**
 * The bench's workload and its tools: the task file (round 1 is the six tasks as they always were;
 * later rounds repeat them on files of their own), the scripted model taking only the steps a
 * prompt asks for (an older harness's prompt gets the older, longer turn), the interleaving of
 * `--compare`, and the flatness check of `--memory-check`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interleaving } from '../../src/bench/compare.js';
import { memoryWindows } from '../../src/bench/memory-check.js';
import type { MemorySample } from '../../src/bench/proc-memory.js';
import { ASKS, expectedPathOf, PLANS, taskFile, TASK_FILE } from '../../src/bench/workload.js';
import type { ReadEvent } from '../../src/journal/decode.js';
import { roleScript, type RecordedRequest, type ScriptStep } from '../../src/scripted-model/index.js';

const OLD = path.join(import.meta.dirname, '..', 'fixtures', 'prompts-52492ab');
const oldPrompt = (name: string) => readFileSync(path.join(OLD, `${name}.md`), 'utf8');

function request(prompt: string, history: unknown[] = []): RecordedRequest {
  const body = { messages: [{ role: 'system', content: 's' }, { role: 'user', content: prompt }, ...history] };
  return {
    seq: 0,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    auth: { present: true, matched: true },
    body,
    bodyBytes: 0,
    receivedAt: 0,
  };
}

/** Plays one whole turn against the bench's script: each reply answered, until the model stops. */
function playTurn(prompt: string): ScriptStep[] {
  const script = roleScript(PLANS);
  const steps: ScriptStep[] = [];
  const history: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    const step = script(request(prompt, history));
    steps.push(step);
    if (step.kind !== 'tool_calls') return steps;
    history.push({ role: 'assistant', tool_calls: [] }, { role: 'tool', content: 'ok', tool_call_id: 'x' });
  }
  throw new Error('the turn never ended');
}

const describeStep = (step: ScriptStep): string => {
  if (step.kind !== 'tool_calls') return step.kind;
  const call = step.calls[0]!;
  const args = call.arguments as Record<string, unknown>;
  return `${call.name}${typeof args.command === 'string' ? `: ${args.command.split(' ')[0]} ${args.command.split(' ')[1] ?? ''}`.trimEnd() : ''}`;
};

describe('bench workload', () => {
  it('round 1 is the six tasks in two phases; later rounds repeat them on files of their own', () => {
    expect(TASK_FILE).toBe(taskFile(1));
    expect(TASK_FILE).toContain('## Phase 1: math helpers\n\n- [ ] Add add(a, b) to lib/math.mjs, with a test\n');
    expect(TASK_FILE.match(/- \[ \]/g)).toHaveLength(6);
    const three = taskFile(3);
    const tasks = three.split('\n').filter((line) => line.startsWith('- [ ] '));
    expect(tasks).toHaveLength(18);
    expect(new Set(tasks).size).toBe(18);
    expect(three).toContain('- [ ] Add slug(text) to lib/text3.mjs, with a test\n  - slug(');
    expect(expectedPathOf('Add slug(text) to lib/text3.mjs, with a test')).toBe('tester-fail-fix');
    expect(expectedPathOf('Add sub(a, b) to lib/math2.mjs, with a test')).toBe('verification-fix');
    expect(expectedPathOf('Add sub(a, b) to lib/math1.mjs, with a test')).toBeUndefined();
  });

  it("the older harness's prompts ask for the tick, a test re-run and a look at the diff: the turns of old", () => {
    const developer = oldPrompt('developer');
    const tester = oldPrompt('tester');
    expect(ASKS.toTick(developer)).toBe(true);
    expect(ASKS.toRerunTests(tester)).toBe(true);
    expect(ASKS.toLookUpTheChange(tester)).toBe(true);
    expect(playTurn(developer).map(describeStep)).toEqual([
      'ls',
      'write',
      'write',
      'bash: node --test',
      'edit',
      'text',
    ]);
    expect(playTurn(tester).map(describeStep)).toEqual([
      'bash: git status',
      'bash: node --test',
      'bash: git add',
      'text',
    ]);
  });
});

describe('bench --compare and --memory-check', () => {
  it('interleaves the two builds, each going first in turn', () => {
    expect(interleaving(3)).toEqual(['base', 'head', 'head', 'base', 'base', 'head']);
  });

  it('reads memory per window of iterations and measures its change from the first window', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const events = [1, 2, 3, 4].map(
      (iteration) =>
        ({
          type: 'iteration_start',
          iteration,
          at: at(iteration * 1000),
          v: 1,
          runId: 'r',
          seq: iteration,
        }) as ReadEvent,
    );
    const sample = (ms: number, pss: number): MemorySample => ({
      at: ms,
      pssKiB: { harness: pss * 1024, pi: 0, guardian: 0 },
      rssKiB: { harness: 0, pi: 0, guardian: 0 },
      count: { harness: 1, pi: 0, guardian: 0 },
    });
    const samples = [sample(500, 999), sample(1500, 100), sample(2500, 100), sample(3500, 110), sample(4500, 120)];
    const windows = memoryWindows(samples, events, { from: 1, to: 4, size: 2 });
    expect(windows.map((w) => [w.from, w.to, w.meanPssMiB])).toEqual([
      [1, 2, 100],
      [3, 4, 115],
    ]);
    expect(windows[1]!.change).toBeCloseTo(0.15);
  });
});
