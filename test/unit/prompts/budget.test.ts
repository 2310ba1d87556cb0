/**
 * Prompt bytes per task are a product metric: on local models every byte is prefill time. These
 * budgets cover a small task with the bundled templates; raise them only on purpose.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_CAPS,
  bundledTemplatePath,
  buildDeveloperFixPrompt,
  buildDeveloperPrompt,
  buildDeveloperRetryPrompt,
  buildTesterPrompt,
  type PromptContext,
} from '../../../src/prompts/index.js';
import { parseTasks } from '../../../src/tasks/index.js';

const BUDGET = {
  developer: 2048,
  developerRetryContinued: 512,
  developerFixFromTester: 2560,
  tester: 3072,
};

async function smallTask(instructionKind: 'developer' | 'tester'): Promise<PromptContext> {
  const todos =
    '# Phase 1: core\n\n- [x] Set up\n- [ ] Add a `--json` flag to the report command\n  - one object per line\n';
  return {
    task: parseTasks(todos).tasks[1]!,
    taskFileRelative: 'TODOS.md',
    instructions: await readFile(bundledTemplatePath(instructionKind), 'utf8'),
    testCommand: 'npm test',
    commitMode: 'agent',
    caps: DEFAULT_PROMPT_CAPS,
    startCommit: 'a1b2c3d4e5f6',
    changedFiles: ['src/report.ts', 'test/report.test.ts', 'TODOS.md'],
  };
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('prompt byte budget for a small task with the bundled templates', () => {
  it(`developer stays under ${BUDGET.developer} bytes`, async () => {
    expect(bytes(buildDeveloperPrompt(await smallTask('developer')))).toBeLessThan(BUDGET.developer);
  });

  it(`a continued-session retry stays under ${BUDGET.developerRetryContinued} bytes`, async () => {
    const prompt = buildDeveloperRetryPrompt(await smallTask('developer'), { reason: 'no_change', continued: true });
    expect(bytes(prompt)).toBeLessThan(BUDGET.developerRetryContinued);
  });

  it(`developerFix with three findings stays under ${BUDGET.developerFixFromTester} bytes`, async () => {
    const ctx = { ...(await smallTask('developer')), testerFindings: '- a.ts:1 wrong\n- b.ts:2 wrong\n- no test' };
    expect(bytes(buildDeveloperFixPrompt(ctx, 'tester'))).toBeLessThan(BUDGET.developerFixFromTester);
  });

  it(`tester stays under ${BUDGET.tester} bytes in both commit modes`, async () => {
    const ctx = await smallTask('tester');
    expect(bytes(buildTesterPrompt(ctx))).toBeLessThan(BUDGET.tester);
    expect(bytes(buildTesterPrompt({ ...ctx, commitMode: 'plan' }))).toBeLessThan(BUDGET.tester);
  });
});
