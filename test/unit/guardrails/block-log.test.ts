import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendBlockRecords, type GuardrailBlockRecord, readBlockRecords } from '../../../src/guardrails/block-log.js';
import { loadGuardContext } from '../../../src/guardrails/context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const record: GuardrailBlockRecord = {
  type: 'guardrail_block',
  at: '2025-01-01T00:00:00.000Z',
  rule: 'git-push',
  action: 'blocked',
  tool: 'bash',
  command: 'git push',
  subject: 'git push',
  reason: 'no',
  role: 'developer',
};

describe('guardrail block log', () => {
  it('reads complete new lines from an offset, leaving a half-written line for later', async () => {
    const file = path.join(await tempDir(), 'guard', 'blocks.jsonl');
    appendBlockRecords(file, [record, { ...record, rule: 'git-clean' }]);
    const first = readBlockRecords(file);
    expect(first.records.map((r) => r.rule)).toEqual(['git-push', 'git-clean']);
    appendFileSync(file, 'not json\n{"type":"guardrail_block","rule":"no-such-rule"}\n{"type":"guardrail_blo');
    const second = readBlockRecords(file, first.nextOffset);
    expect(second.records).toEqual([]);
    expect(second.malformed).toBe(2);
    appendFileSync(file, `ck"}\n${JSON.stringify(record)}\n`);
    const third = readBlockRecords(file, second.nextOffset);
    expect(third.records).toEqual([record]);
    expect(third.malformed).toBe(1);
    expect(readBlockRecords(path.join(file, 'missing')).records).toEqual([]);
  });

  it('falls back to enforcing defaults when the context is missing or corrupt, and says why', async () => {
    const dir = await tempDir();
    expect(loadGuardContext({}, dir)).toMatchObject({ context: { mode: 'enforce' }, problem: /not set/ });
    const corrupt = path.join(dir, 'context.json');
    appendFileSync(corrupt, '{"version":1,');
    expect(loadGuardContext({ PI_HARNESS_GUARD_CONTEXT: corrupt }, dir).problem).toMatch(/not JSON/);
    const wrong = path.join(dir, 'wrong.json');
    appendFileSync(wrong, '{"version":1,"mode":"loose"}');
    const loaded = loadGuardContext({ PI_HARNESS_GUARD_CONTEXT: wrong }, dir);
    expect(loaded.problem).toMatch(/invalid \(mode/);
    expect(loaded.context.startCommit).toBeUndefined();
  });
});
