import { describe, expect, it } from 'vitest';
import { checkGuardContext, guardContext } from '../../../src/guardrails/context-shape.js';

const minimal = {
  version: 1 as const,
  mode: 'enforce' as const,
  repoRoot: '/r',
  gitDir: '/r/.git',
  gitCommonDir: '/r/.git',
};

describe('the guard context, checked by hand', () => {
  it('fills in the lists, keeps the optional facts and drops unknown fields', () => {
    expect(checkGuardContext({ ...minimal, startCommit: 'abc', iteration: 3, role: 'developer', extra: true })).toEqual(
      {
        ok: true,
        context: {
          ...minimal,
          startCommit: 'abc',
          iteration: 3,
          role: 'developer',
          protectedDirs: [],
          preDirty: [],
          ignoredAtStart: [],
          allow: [],
          deny: [],
        },
      },
    );
    const full = { ...minimal, runtimeDir: '/r/.pi-harness', iteration: '7', allow: ['npm test'], preDirty: ['a.txt'] };
    expect(guardContext(full)).toMatchObject({ runtimeDir: '/r/.pi-harness', iteration: '7', allow: ['npm test'] });
  });

  it.each([
    [null, '(root): expected an object'],
    [[], '(root): expected an object'],
    [{ ...minimal, version: 2 }, 'version: expected 1'],
    [{ ...minimal, mode: 'loose' }, 'mode: expected one of'],
    [{ ...minimal, repoRoot: '' }, 'repoRoot: expected a non-empty string'],
    [{ ...minimal, gitCommonDir: undefined }, 'gitCommonDir: expected a non-empty string'],
    [{ ...minimal, startCommit: 5 }, 'startCommit: expected a string'],
    [{ ...minimal, iteration: true }, 'iteration: expected a number or string'],
    [{ ...minimal, deny: ['ok', 3] }, 'deny: expected a list of strings'],
    [{ ...minimal, protectedDirs: '/x' }, 'protectedDirs: expected a list of strings'],
  ])('names the first problem of %j', (value, problem) => {
    const check = checkGuardContext(value);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problem).toContain(problem);
  });

  it("throws on the harness's own bad write", () => {
    expect(() => guardContext({ ...minimal, repoRoot: '' } as never)).toThrow(/invalid guard context \(repoRoot/);
  });
});
