import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_CAPS,
  buildDeveloperFixPrompt,
  buildDeveloperPrompt,
  buildDeveloperRetryPrompt,
  buildTesterPrompt,
  type PromptContext,
} from '../../../src/prompts/index.js';
import { parseTasks } from '../../../src/tasks/index.js';
import { DEV_INSTRUCTIONS, PHASE, TASK_TEXT, TESTER_INSTRUCTIONS, context } from './fixture.js';

const TAIL = { command: 'npm test -- --run', exitCode: 1, outcome: 'failed' as const, output: 'Error: boom\n1 failed' };
const INTEGRITY_FINDING =
  'test/a.test.ts: test-file-deleted (a test file was deleted): test/a.test.ts, which held 3 tests, was deleted';
const HOOK_REFUSAL = {
  reason: "the repository's commit hooks (pre-commit) refused the commit",
  output: 'lint: src/a.ts:3 missing semicolon\n1 problem',
};
const FINDINGS = '- src/a.ts:12 returns null for an empty input\n- no test covers the empty case\n\nVERDICT: FAIL';

/** Every role's prompt for the fixture task, with the handoffs that role reads. */
function everyPrompt(overrides: Partial<PromptContext> = {}): Record<string, string> {
  const dev = context({ ...overrides });
  const tester = context({ instructions: TESTER_INSTRUCTIONS, startCommit: 'abc1234', ...overrides });
  return {
    developer: buildDeveloperPrompt(dev),
    retryFresh: buildDeveloperRetryPrompt(dev, { reason: 'stalled' }),
    fixVerification: buildDeveloperFixPrompt({ ...dev, verificationTail: TAIL }, 'verification'),
    fixTester: buildDeveloperFixPrompt({ ...dev, testerFindings: FINDINGS }, 'tester'),
    fixIntegrity: buildDeveloperFixPrompt({ ...dev, integrityFindings: [INTEGRITY_FINDING] }, 'integrity'),
    fixCommitHook: buildDeveloperFixPrompt({ ...dev, commitHookFailure: HOOK_REFUSAL }, 'commitHook'),
    tester: buildTesterPrompt(tester),
    testerPlan: buildTesterPrompt({ ...tester, commitMode: 'plan' }),
    testerRecheck: buildTesterPrompt({ ...tester, testerFindings: FINDINGS }, { recheck: true }),
  };
}

describe('every role prompt', () => {
  const prompts = everyPrompt();

  it.each(Object.keys(prompts))('%s names the task text and phase verbatim, its details, file and line', (name) => {
    const prompt = prompts[name]!;
    expect(prompt).toContain(`- Task: ${TASK_TEXT}\n`);
    expect(prompt).toContain(`- Phase: ${PHASE}\n`);
    expect(prompt).toContain('- handle the empty case\nblocked: waiting for the *style* guide → ask');
    expect(prompt).toContain('`docs/TODOS.md`, line 6');
  });

  it.each(Object.keys(prompts))('%s includes the role instructions before the task (stable part first)', (name) => {
    const prompt = prompts[name]!;
    const instructions = name.startsWith('tester') ? TESTER_INSTRUCTIONS : DEV_INSTRUCTIONS;
    expect(prompt).toContain(instructions);
    expect(prompt.indexOf(instructions)).toBeLessThan(prompt.indexOf(TASK_TEXT));
  });

  it('developer-side prompts share one byte-identical head, for prompt-cache reuse', () => {
    const head = prompts.developer!.slice(0, prompts.developer!.indexOf('## Current task'));
    expect(head).toContain(DEV_INSTRUCTIONS);
    for (const name of ['retryFresh', 'fixVerification', 'fixTester', 'fixIntegrity'])
      expect(prompts[name]!.startsWith(head)).toBe(true);
  });

  it('omits the phase line for a task without a heading above it', () => {
    const task = parseTasks('- [ ] lone task\n').tasks[0]!;
    const prompt = buildDeveloperPrompt(context({ task }));
    expect(prompt).toContain('- Task: lone task');
    expect(prompt).not.toContain('Phase:');
  });
});

describe('developer prompt', () => {
  it('leaves the tick to the harness, states the test command, and forbids committing', () => {
    const prompt = buildDeveloperPrompt(context());
    // The harness ticks the task in the commit of its change: the developer is told to leave the
    // task file alone, not asked for a tick (a model request that decides nothing).
    expect(prompt).toContain('Leave `docs/TODOS.md` alone');
    expect(prompt).toContain('ticks the task');
    expect(prompt).not.toMatch(/\btick (?:it|the task)\b/i);
    expect(prompt).toContain('Run `npm test -- --run` and make it pass');
    expect(prompt).toContain('do not commit, stash or reset');
  });

  it('says so when no test command is configured', () => {
    const prompt = buildDeveloperPrompt(context({ testCommand: '  ' }));
    expect(prompt).toContain('No test command is configured');
    expect(prompt).not.toContain('Run ``');
  });

  it('renders visual feedback, earlier findings, loop constraints, large-file warnings and notes after the task', () => {
    const prompt = buildDeveloperPrompt(
      context({
        visualFeedback: 'The header overlaps the menu on narrow screens.',
        testerFindings: 'src/a.ts: missing null check',
        loopConstraints: ['src/big.ts was rewritten in 3 iterations: make targeted edits.'],
        largeFileWarnings: [{ path: 'src/big.ts', lines: 1800 }],
        notes: ['The API key lives in the environment.'],
      }),
    );
    const taskAt = prompt.indexOf(TASK_TEXT);
    for (const expected of [
      'The header overlaps the menu on narrow screens.',
      'src/a.ts: missing null check',
      '- src/big.ts was rewritten in 3 iterations: make targeted edits.',
      '- `src/big.ts` has 1800 lines: read and edit only the parts you need',
      '- The API key lives in the environment.',
    ]) {
      expect(prompt).toContain(expected);
      expect(prompt.indexOf(expected)).toBeGreaterThan(taskAt);
    }
  });

  it('caps notes at maxPromptNotesLines, and full mode lifts the cap', () => {
    const notes = Array.from({ length: 20 }, (_, i) => `note ${i}`);
    const compact = buildDeveloperPrompt(context({ notes }));
    expect(compact).toContain('- note 15\n… 4 more notes omitted');
    expect(compact).not.toContain('note 16');
    const full = buildDeveloperPrompt(context({ notes, caps: { ...DEFAULT_PROMPT_CAPS, promptMode: 'full' } }));
    expect(full).toContain('- note 19');
    expect(full).not.toContain('omitted');
  });

  it('caps visual feedback at maxVisualFeedbackLines, keeping its head', () => {
    const feedback = Array.from({ length: 30 }, (_, i) => `visual ${i}`).join('\n');
    const prompt = buildDeveloperPrompt(context({ visualFeedback: feedback }));
    expect(prompt).toContain('visual 19\n… 10 more lines omitted');
    expect(prompt).not.toContain('visual 20');
  });
});

describe('developerRetry prompt', () => {
  it.each([
    ['timed_out', 'hit the time limit'],
    ['stalled', 'stopped making progress'],
    ['no_change', 'without changing any file'],
  ] as const)('says why (%s) and what to do differently, last', (reason, why) => {
    const prompt = buildDeveloperRetryPrompt(context({ retryReason: reason }));
    expect(prompt).toContain(why);
    expect(prompt.indexOf('## Retry')).toBeGreaterThan(prompt.indexOf(TASK_TEXT));
  });

  it('in a continued session names the task verbatim but does not repeat instructions or details', () => {
    const full = buildDeveloperRetryPrompt(context({ retryReason: 'no_change' }));
    const continued = buildDeveloperRetryPrompt(context({ retryReason: 'no_change', notes: ['hint A'] }), {
      continued: true,
    });
    expect(continued).toContain(`- Task: ${TASK_TEXT}\n`);
    expect(continued).toContain(`- Phase: ${PHASE}\n`);
    expect(continued).toContain('`docs/TODOS.md`, line 6');
    expect(continued).toContain('hint A');
    expect(continued).not.toContain(DEV_INSTRUCTIONS);
    expect(continued).not.toContain('handle the empty case');
    expect(Buffer.byteLength(continued)).toBeLessThan(Buffer.byteLength(full) / 2);
  });

  it('needs a reason', () => {
    expect(() => buildDeveloperRetryPrompt(context())).toThrow(/retry reason/);
    expect(buildDeveloperRetryPrompt(context(), { reason: 'stalled' })).toContain('stopped making progress');
  });
});

describe('developerFix prompt', () => {
  const hundredLines = Array.from({ length: 100 }, (_, i) => `\u001b[31mout ${i}\u001b[0m`).join('\n');

  it('from verification: keeps exactly the last 40 lines of the output after an omission note', () => {
    const prompt = buildDeveloperFixPrompt(
      context({ verificationTail: { ...TAIL, output: hundredLines } }),
      'verification',
    );
    expect(prompt).toContain('`npm test -- --run` failed with exit code 1.');
    const kept = prompt.match(/^out \d+$/gm) ?? [];
    expect(kept).toEqual(Array.from({ length: 40 }, (_, i) => `out ${60 + i}`));
    expect(prompt).toContain('… 60 earlier lines omitted\nout 60\n');
    expect(prompt).not.toContain('\u001b');
    expect(prompt).toContain('one focused repair');
  });

  it('from verification in full mode: keeps the whole output', () => {
    const caps = { ...DEFAULT_PROMPT_CAPS, promptMode: 'full' as const };
    const prompt = buildDeveloperFixPrompt(
      context({ caps, verificationTail: { ...TAIL, output: hundredLines } }),
      'verification',
    );
    expect(prompt.match(/^out \d+$/gm)).toHaveLength(100);
    expect(prompt).not.toContain('omitted');
    expect(prompt).not.toContain('\u001b');
  });

  it('from verification: describes a timeout and a signal death', () => {
    const timedOut = buildDeveloperFixPrompt(
      context({ verificationTail: { ...TAIL, outcome: 'timed_out', exitCode: null } }),
      'verification',
    );
    expect(timedOut).toContain('did not finish within its time limit');
    expect(timedOut).toContain('hangs');
    const killed = buildDeveloperFixPrompt(context({ verificationTail: { ...TAIL, exitCode: null } }), 'verification');
    expect(killed).toContain('killed by a signal');
    const silent = buildDeveloperFixPrompt(
      context({ verificationTail: { ...TAIL, output: '\u001b[0m\n\n' } }),
      'verification',
    );
    expect(silent).toContain('It printed nothing.');
  });

  it('from the commit hooks: why, the end of their output, and not to commit itself', () => {
    const output = Array.from({ length: 100 }, (_, i) => `hook line ${i}`).join('\n');
    const prompt = buildDeveloperFixPrompt(
      context({ commitHookFailure: { ...HOOK_REFUSAL, output: `\u001b[31m${output}` } }),
      'commitHook',
    );
    expect(prompt).toContain("## Fix: the repository's commit hooks refused the commit");
    expect(prompt).toContain("committing it failed: the repository's commit hooks (pre-commit) refused the commit.");
    expect(prompt).toContain('hook line 99');
    expect(prompt).not.toContain('hook line 10\n');
    expect(prompt).toContain('do not commit yourself');
    expect(prompt).not.toContain('\u001b');
    expect(() => buildDeveloperFixPrompt(context(), 'commitHook')).toThrow(/commitHookFailure/);
  });

  it('from verification without a verification tail is a programming error', () => {
    expect(() => buildDeveloperFixPrompt(context(), 'verification')).toThrow(/verificationTail/);
  });

  it('from the tester: the findings, capped at maxTesterFeedbackLines from the head, without the verdict line', () => {
    const findings = `${Array.from({ length: 50 }, (_, i) => `finding ${i}`).join('\n')}\nVERDICT: FAIL`;
    const prompt = buildDeveloperFixPrompt(context({ testerFindings: findings, changedFiles: ['src/a.ts'] }), 'tester');
    expect(prompt).toContain('finding 31\n… 18 more lines omitted');
    expect(prompt).not.toContain('finding 32');
    expect(prompt).not.toContain('VERDICT');
    expect(prompt).toContain('## Changed so far in this iteration\n- src/a.ts');
    expect(prompt).toContain('do not start unrelated work');
  });
});

describe('integrity findings in the prompts', () => {
  it('developerFix for integrity names each file and rule, and says what happens if they stay', () => {
    const prompt = buildDeveloperFixPrompt(context({ integrityFindings: [INTEGRITY_FINDING] }), 'integrity');
    expect(prompt).toContain('## Fix: integrity findings');
    expect(prompt).toContain(`- ${INTEGRITY_FINDING}`);
    expect(prompt).toContain('a finding still there fails the iteration');
    expect(prompt).toContain('Re-run `npm test -- --run`');
    expect(() => buildDeveloperFixPrompt(context(), 'integrity')).toThrow(/integrityFindings/);
  });

  it('the tester hears of open findings (warn) and of the ones the developer was asked to undo (enforce)', () => {
    const tester = context({ instructions: TESTER_INSTRUCTIONS });
    expect(buildTesterPrompt(tester)).not.toContain('## Integrity findings');
    const open = buildTesterPrompt({ ...tester, integrityFindings: [INTEGRITY_FINDING] });
    expect(open).toContain('## Integrity findings');
    expect(open).toContain(`- ${INTEGRITY_FINDING}`);
    expect(open).toContain('a reason to fail the review');
    const repaired = buildTesterPrompt({ ...tester, repairedIntegrityFindings: [INTEGRITY_FINDING] });
    expect(repaired).toContain('Confirm they are really undone');
    expect(repaired).not.toContain('a reason to fail the review');
  });

  it('caps a long list of findings like the tester findings', () => {
    const many = Array.from({ length: 50 }, (_, i) => `test/t${i}.test.ts: skip-marker-added (…): added .skip`);
    const prompt = buildDeveloperFixPrompt(context({ integrityFindings: many }), 'integrity');
    expect(prompt).toContain('test/t0.test.ts');
    expect(prompt).not.toContain('test/t49.test.ts');
  });
});
