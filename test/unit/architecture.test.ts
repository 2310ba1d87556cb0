import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, readSourceTree } from '../helpers/architecture.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

describe('architecture (docs/architecture.md)', () => {
  const report = checkArchitecture(readSourceTree(SRC));

  it('imports run one way: no folder imports a higher layer', () => {
    expect(report.upward).toEqual([]);
  });

  it('no two folders import each other, directly or around a cycle', () => {
    expect(report.cycles).toEqual([]);
  });

  it('every folder of src/ has its place in the layer table', () => {
    expect(report.unknownFolders).toEqual([]);
  });

  it('no function is longer than a screen (80 lines)', () => {
    expect(report.longFunctions).toEqual([]);
  });
});

describe('the architecture check itself', () => {
  it('catches a planted upward import, a cycle and a long function', () => {
    const body = Array.from({ length: 90 }, (_, index) => `  const v${index} = ${index};`).join('\n');
    const report = checkArchitecture([
      { rel: 'journal/events.ts', text: "import type { Step } from '../loop/decide.js';\nexport type X = Step;" },
      { rel: 'loop/decide.ts', text: "export type Step = 'a';" },
      { rel: 'agent/a.ts', text: "import { b } from '../runtime/b.js';\nexport const a = b;" },
      { rel: 'runtime/b.ts', text: "import { a } from '../agent/a.js';\nexport const b = 1; void a;" },
      { rel: 'tasks/long.ts', text: `export function long(): void {\n${body}\n}` },
      { rel: 'mystery/x.ts', text: 'export {};' },
    ]);
    expect(report.upward).toEqual(['journal/events.ts -> loop/decide.js (journal is below loop)']);
    expect(report.cycles).toEqual(['agent <-> runtime']);
    expect(report.longFunctions).toEqual(['tasks/long.ts:1 long 92 lines']);
    expect(report.unknownFolders).toEqual(['mystery']);
  });
});
