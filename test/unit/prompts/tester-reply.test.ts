import { describe, expect, it } from 'vitest';
import { parseCommitPlan, parseVerdict, testerFindings } from '../../../src/prompts/tester-reply.js';

describe('parseVerdict', () => {
  it.each([
    ['VERDICT: PASS', 'PASS'],
    ['VERDICT: FAIL', 'FAIL'],
    ['VERDICT: BLOCKED', 'BLOCKED'],
    ['verdict: pass', 'PASS'],
    ['**VERDICT: PASS**', 'PASS'],
    ['**VERDICT:** PASS', 'PASS'],
    ['`VERDICT: FAIL`', 'FAIL'],
    ['VERDICT: `PASS`.', 'PASS'],
    ['VERDICT: PASS.', 'PASS'],
    ['VERDICT: PASS!', 'PASS'],
    ['_VERDICT: BLOCKED_', 'BLOCKED'],
    ['## VERDICT: PASS', 'PASS'],
    ['- VERDICT: FAIL', 'FAIL'],
    ['> VERDICT: PASS', 'PASS'],
    ['VERDICT - FAIL', 'FAIL'],
    ['  VERDICT:PASS  ', 'PASS'],
    ['VERDICT: FAIL — the parser drops CRLF', 'FAIL'],
  ])('%j is %s', (line, verdict) => {
    expect(parseVerdict(`Reviewed the change.\n\n${line}\n`)).toBe(verdict);
  });

  it('the last verdict line wins', () => {
    expect(parseVerdict('At first I thought VERDICT: FAIL\nthen re-ran the tests.\nVERDICT: PASS')).toBe('PASS');
    expect(parseVerdict('VERDICT: PASS\nWait, the build is broken.\nVERDICT: FAIL')).toBe('FAIL');
  });

  it.each([
    'VERDICT: PASS | FAIL | BLOCKED',
    'VERDICT: PASS|FAIL',
    'VERDICT: PASS or FAIL',
    'VERDICT: PASS/FAIL/BLOCKED',
  ])('an instruction echo %j is not a verdict', (echo) => {
    expect(parseVerdict(`You asked me to end with ${echo}\n${echo}`)).toBe('UNKNOWN');
    expect(parseVerdict(`VERDICT: FAIL\n${echo}`)).toBe('FAIL');
  });

  it('no verdict is UNKNOWN, never a pass', () => {
    expect(parseVerdict('')).toBe('UNKNOWN');
    expect(parseVerdict('Everything looks great, PASS.')).toBe('UNKNOWN');
    expect(parseVerdict('The verdict: it passes')).toBe('UNKNOWN');
    expect(parseVerdict('VERDICT: MAYBE')).toBe('UNKNOWN');
    expect(parseVerdict('VERDICT: PASSED')).toBe('UNKNOWN');
  });

  it('works on CRLF text', () => {
    expect(parseVerdict('ok\r\nVERDICT: BLOCKED\r\n')).toBe('BLOCKED');
  });
});

describe('testerFindings', () => {
  it('drops verdict lines and keeps the findings', () => {
    expect(testerFindings('1. tick missing\n2. test fails\n\n**VERDICT: FAIL**\n')).toBe(
      '1. tick missing\n2. test fails',
    );
  });
});

describe('parseCommitPlan', () => {
  it('reads a message and a bulleted file list', () => {
    const plan = parseCommitPlan(
      'Looks good.\nCOMMIT_MESSAGE: Add CRLF support\nCOMMIT_FILES:\n- src/parse.ts\n- `test/parse.test.ts`\n* ./TODOS.md\n\nVERDICT: PASS',
    );
    expect(plan).toEqual({ message: 'Add CRLF support', files: ['src/parse.ts', 'test/parse.test.ts', 'TODOS.md'] });
  });

  it('reads files on the same line, comma or space separated, without duplicates', () => {
    expect(parseCommitPlan('**COMMIT_MESSAGE:** Fix it\n**COMMIT_FILES:** a.ts, b.ts c.ts a.ts')).toEqual({
      message: 'Fix it',
      files: ['a.ts', 'b.ts', 'c.ts'],
    });
  });

  it('the last plan counts; no message or no files is no plan', () => {
    expect(parseCommitPlan('COMMIT_MESSAGE: one\nCOMMIT_FILES: a\nCOMMIT_MESSAGE: two\nCOMMIT_FILES: b')).toEqual({
      message: 'two',
      files: ['b'],
    });
    expect(parseCommitPlan('COMMIT_FILES: a.ts')).toBeUndefined();
    expect(parseCommitPlan('COMMIT_MESSAGE: nothing listed')).toBeUndefined();
    expect(parseCommitPlan('COMMIT_MESSAGE:\nCOMMIT_FILES: a.ts')).toBeUndefined();
  });
});
