import { describe, expect, it } from 'vitest';
import { countedVerdict, parseCommitPlan, parseVerdict, testerFindings } from '../../../src/prompts/tester-reply.js';

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

  it.each([
    'VERDICT: PASS or VERDICT: FAIL',
    'VERDICT: PASS | VERDICT: FAIL',
    'reply VERDICT: PASS or VERDICT: FAIL',
    '"VERDICT: PASS" or "VERDICT: FAIL"',
    '"VERDICT: PASS"',
  ])('quoted or offered options %j are not a verdict', (options) => {
    expect(parseVerdict(`I must end with one of these:\n${options}`)).toBe('UNKNOWN');
  });

  it('a list of differing verdict lines is the options, not a verdict', () => {
    const options = 'Reply with one of:\n- VERDICT: PASS\n- VERDICT: FAIL\n- VERDICT: BLOCKED';
    expect(parseVerdict(options)).toBe('UNKNOWN');
    expect(parseVerdict(`${options}\n\nThe tests fail.\nVERDICT: FAIL`)).toBe('FAIL');
    // The same verdict twice is still that verdict.
    expect(parseVerdict('**VERDICT: PASS**\nVERDICT: PASS')).toBe('PASS');
  });

  it('a line inside a code block (an echo of the instructions) is not a verdict', () => {
    expect(parseVerdict('Format:\n```\nVERDICT: PASS\n```')).toBe('UNKNOWN');
    expect(parseVerdict('Format:\n~~~text\nVERDICT: PASS\n~~~')).toBe('UNKNOWN');
    expect(parseVerdict('VERDICT: FAIL\nThe instructions said:\n```\nVERDICT: PASS\n```\n')).toBe('FAIL');
    // A longer fence is not closed by a shorter one.
    expect(parseVerdict('````\n```\nVERDICT: PASS\n```\n````')).toBe('UNKNOWN');
    // After the block closes, lines count again.
    expect(parseVerdict('```\nVERDICT: FAIL\n```\nVERDICT: PASS')).toBe('PASS');
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

describe('countedVerdict', () => {
  it('only a turn that ended normally gives a verdict', () => {
    expect(countedVerdict('success', 'All good.\nVERDICT: PASS')).toBe('PASS');
    for (const status of ['timed_out', 'stalled', 'failed'] as const) {
      expect(countedVerdict(status, 'All good.\nVERDICT: PASS')).toBe('UNKNOWN');
      expect(countedVerdict(status, 'VERDICT: FAIL')).toBe('UNKNOWN');
    }
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
