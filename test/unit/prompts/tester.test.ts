import { describe, expect, it } from 'vitest';
import { parseCommitPlan, parseVerdict } from '../../../src/prompts/tester-reply.js';
import {
  DEFAULT_PROMPT_CAPS,
  buildDeveloperFixPrompt,
  buildDeveloperPrompt,
  buildTesterPrompt,
  buildTesterRecheckPrompt,
} from '../../../src/prompts/index.js';
import { TESTER_INSTRUCTIONS, context } from './fixture.js';

const tester = (overrides: Parameters<typeof context>[0] = {}) =>
  context({ instructions: TESTER_INSTRUCTIONS, startCommit: '0123abc', ...overrides });

describe('tester prompt', () => {
  it('asks for an independent review of the diff since the start commit and a test run, not for the tick', () => {
    const prompt = buildTesterPrompt(tester({ changedFiles: ['src/a.ts', 'TODOS.md'] }));
    expect(prompt).toContain('`git diff 0123abc`');
    expect(prompt).toContain('`git status`');
    expect(prompt).toContain('Run `npm test -- --run`');
    expect(prompt).toContain("do not trust the developer's summary");
    expect(prompt).toContain('The harness ticks the task');
    expect(prompt).not.toMatch(/\btick (?:it|the task)\b/i);
    expect(prompt).toContain('Changed files:\n- src/a.ts\n- TODOS.md');
  });

  it('carries the diff when the harness has it, and then sends the tester to no git command for it', () => {
    const diff = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-old\n+new\n';
    const prompt = buildTesterPrompt(tester({ changedFiles: ['src/a.ts'], changeDiff: diff }));
    expect(prompt).toContain(`\`\`\`diff\n${diff}\`\`\``);
    expect(prompt).toContain('Review the change below (new files included)');
    expect(prompt).not.toContain('`git diff 0123abc`');
    expect(prompt).toContain('Changed files:\n- src/a.ts');
    // A diff that holds a backtick fence still cannot close the block early.
    const fenced = buildTesterPrompt(tester({ changeDiff: '+```\n+x\n' }));
    expect(fenced).toContain('````diff\n+```\n+x\n````');
  });

  it('diffs against HEAD when no start commit is known', () => {
    const prompt = buildTesterPrompt(tester({ startCommit: undefined }));
    expect(prompt).toContain('`git diff HEAD`');
  });

  it('shows all three verdict lines, each complete, with no choice list', () => {
    const prompt = buildTesterPrompt(tester());
    for (const verdict of ['PASS', 'FAIL', 'BLOCKED']) expect(prompt).toContain(`\`VERDICT: ${verdict}\``);
    expect(prompt).not.toMatch(/PASS\s*[|/]|\bPASS or FAIL\b|[|/]\s*FAIL/);
  });

  it.each([
    ['agent mode', tester()],
    ['plan mode', tester({ commitMode: 'plan' })],
    ['recheck with findings that contain a verdict', tester({ testerFindings: 'bad\nVERDICT: FAIL' })],
    ['no test command', tester({ testCommand: '' })],
  ])('does not itself parse as a verdict or a commit plan (%s)', (_name, ctx) => {
    for (const prompt of [buildTesterPrompt(ctx), buildTesterRecheckPrompt(ctx)]) {
      expect(parseVerdict(prompt)).toBe('UNKNOWN');
      expect(parseCommitPlan(prompt)).toBeUndefined();
    }
  });

  it('developer prompts do not parse as a verdict either', () => {
    const ctx = context({ testerFindings: 'x\nVERDICT: FAIL' });
    expect(parseVerdict(buildDeveloperPrompt(ctx))).toBe('UNKNOWN');
    expect(parseVerdict(buildDeveloperFixPrompt(ctx, 'tester'))).toBe('UNKNOWN');
  });

  it('in agent mode commits on PASS, staging only this change by name', () => {
    const prompt = buildTesterPrompt(tester());
    expect(prompt).toContain('git add -- <path>');
    expect(prompt).toContain('git commit -m');
    expect(prompt).toContain('Never `git add -A`, `git add .` or `git commit -a`');
    expect(prompt).not.toContain('COMMIT_MESSAGE');
    expect(prompt).not.toContain('COMMIT_FILES');
  });

  it('in plan mode asks for COMMIT_MESSAGE and COMMIT_FILES and does not ask to commit', () => {
    const prompt = buildTesterPrompt(tester({ commitMode: 'plan' }));
    expect(prompt).toContain('`COMMIT_MESSAGE: `');
    expect(prompt).toContain('`COMMIT_FILES:`, then one `- path` line per file');
    expect(prompt).toContain('Do not stage or commit anything');
    expect(prompt).not.toContain('git add');
    expect(prompt).not.toContain('git commit');
  });

  it('caps the changed-file list at maxPromptChangedFiles, and full mode lifts it', () => {
    const changedFiles = Array.from({ length: 15 }, (_, i) => `src/file${i}.ts`);
    const compact = buildTesterPrompt(tester({ changedFiles }));
    expect(compact).toContain('- src/file9.ts\n… 5 more files omitted (see `git status`)');
    expect(compact).not.toContain('src/file10.ts');
    const full = buildTesterPrompt(tester({ changedFiles, caps: { ...DEFAULT_PROMPT_CAPS, promptMode: 'full' } }));
    expect(full).toContain('- src/file14.ts');
    expect(full).not.toContain('omitted');
  });

  it('without a test command asks to run what is relevant', () => {
    const prompt = buildTesterPrompt(tester({ testCommand: '' }));
    expect(prompt).toContain('No test command is configured');
  });
});

describe('tester recheck', () => {
  it('quotes the previous findings and asks to verify each one specifically', () => {
    const findings = '- src/a.ts:12 returns null for an empty input\n\nVERDICT: FAIL';
    const prompt = buildTesterPrompt(tester({ testerFindings: findings }), { recheck: true });
    expect(prompt).toContain('- src/a.ts:12 returns null for an empty input');
    expect(prompt).toContain('the developer has since made a fix');
    expect(prompt).toContain('each earlier finding is resolved');
    expect(buildTesterRecheckPrompt(tester({ testerFindings: findings }))).toBe(prompt);
  });

  it('caps the previous findings at maxTesterFeedbackLines', () => {
    const findings = Array.from({ length: 40 }, (_, i) => `finding ${i}`).join('\n');
    const prompt = buildTesterRecheckPrompt(tester({ testerFindings: findings }));
    expect(prompt).toContain('finding 31\n… 8 more lines omitted');
    expect(prompt).not.toContain('finding 32');
  });

  it('is not part of the first review', () => {
    const prompt = buildTesterPrompt(tester({ testerFindings: 'old finding' }));
    expect(prompt).not.toContain('## Recheck');
    expect(prompt).not.toContain('old finding');
  });
});

describe('tester prompt and the harness verification', () => {
  it('tells the tester the verification already passed on this tree, so it does not run it again', () => {
    const ctx = context({ testCommand: 'npm test' });
    expect(buildTesterPrompt(ctx)).toContain('Run `npm test` and read the result.');
    const passed = buildTesterPrompt({ ...ctx, verificationPassed: true });
    expect(passed).toContain('The harness ran `npm test` on this exact tree and it passed: do not run it again.');
    expect(passed).not.toContain('Run `npm test` and read');
  });
});
