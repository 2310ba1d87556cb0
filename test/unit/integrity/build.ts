/** Builders for integrity-check inputs: file changes with realistic before/after contents. */
import { buildBaseline, type TestBaseline } from '../../../src/integrity/baseline.js';
import { type IntegrityInput, type IntegrityOptions, checkIntegrity } from '../../../src/integrity/check.js';
import { defaultTestGlobs } from '../../../src/integrity/test-globs.js';
import type { FileChange, FileContent, IntegrityFinding } from '../../../src/integrity/types.js';

export function content(text: string): FileContent {
  return { size: Buffer.byteLength(text), text };
}

/** A changed path: `before` undefined = created, `after` undefined = deleted. */
export function change(path: string, before: string | undefined, after: string | undefined): FileChange {
  return {
    path,
    ...(before === undefined ? {} : { before: content(before) }),
    ...(after === undefined ? {} : { after: content(after) }),
  };
}

/** The baseline of a start tree holding `files` (the test files among them are picked by the default globs). */
export function baselineOf(files: readonly string[], countsOutput?: string): TestBaseline {
  const blobs = files.map((path) => ({ path, blob: `blob-${path}`, size: 100 }));
  return buildBaseline({
    commit: 'c0ffee',
    tree: 'tree0',
    blobs,
    testGlobs: defaultTestGlobs(),
    ...(countsOutput === undefined ? {} : { lastPassing: { tree: 'tree0', output: countsOutput } }),
  });
}

export const OPTIONS: IntegrityOptions = {
  testGlobs: defaultTestGlobs(),
  protectedPaths: [],
  harnessConfigFile: 'pi.config.json',
  instructionFiles: ['prompts/developer.md', 'prompts/tester.md'],
  taskFile: 'TODOS.md',
  testCommand: 'npm test',
};

export const TASK = { id: 'task-1', text: 'Add subtraction to the calculator', details: [] };

export interface CheckCase {
  readonly changes: readonly FileChange[];
  readonly baseline?: TestBaseline;
  readonly task?: IntegrityInput['task'];
  readonly verification?: IntegrityInput['verification'];
  readonly packageManifest?: string;
  readonly options?: Partial<IntegrityOptions>;
}

/** Runs every rule, like the harness will, and returns the findings. */
export function findingsFor(input: CheckCase): IntegrityFinding[] {
  const baseline = input.baseline ?? baselineOf(input.changes.filter((c) => c.before !== undefined).map((c) => c.path));
  return checkIntegrity(
    {
      baseline,
      changes: input.changes,
      task: input.task ?? TASK,
      ...(input.verification === undefined ? {} : { verification: input.verification }),
      ...(input.packageManifest === undefined ? {} : { packageManifest: input.packageManifest }),
    },
    { ...OPTIONS, ...input.options },
  ).findings;
}

export function rulesFor(input: CheckCase): string[] {
  return findingsFor(input).map((finding) => `${finding.rule}: ${finding.path}`);
}

export const MATH_TEST = `import { describe, expect, it } from 'vitest';
import { add, multiply } from '../src/math.js';

describe('math', () => {
  it('adds two numbers', () => {
    expect(add(1, 2)).toBe(3);
  });

  it('multiplies two numbers', () => {
    expect(multiply(2, 3)).toBe(6);
  });

  it('handles negative numbers', () => {
    expect(add(-1, 1)).toBe(0);
  });
});
`;

export const PY_TEST = `import pytest

from calc import add, divide


def test_adds():
    assert add(1, 2) == 3


def test_divides():
    assert divide(6, 3) == 2


def test_divide_by_zero():
    with pytest.raises(ZeroDivisionError):
        divide(1, 0)
`;

export const GO_TEST = `package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("1 + 2 should be 3")
	}
}

func TestDivide(t *testing.T) {
	if Divide(6, 3) != 2 {
		t.Fatal("6 / 3 should be 2")
	}
}
`;

export const RUST_TESTS = `use calc::add;

#[test]
fn adds_small_numbers() {
    assert_eq!(add(1, 2), 3);
}

#[test]
fn adds_negative_numbers() {
    assert_eq!(add(-1, 1), 0);
}
`;

export const JAVA_TEST = `package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void adds() {
        assertEquals(3, Calc.add(1, 2));
    }

    @Test
    void subtracts() {
        assertEquals(1, Calc.subtract(3, 2));
    }
}
`;

export const RSPEC = `require 'calc'

RSpec.describe Calc do
  it 'adds two numbers' do
    expect(Calc.add(1, 2)).to eq(3)
  end

  it 'subtracts two numbers' do
    expect(Calc.subtract(3, 2)).to eq(1)
  end
end
`;
