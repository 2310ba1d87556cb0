/**
 * Token totals and breakdowns over token-usage records.
 *
 * Attribution rule (docs/telemetry.md): roles, phases and models are exact — a turn has one of
 * each. Tools and files are estimates: pi reports usage per model request, not per tool call, so
 * a turn's usage is split evenly across its tool calls; a call's share goes to its tool, and when
 * the call names a path, to that file and to the file's directory (its immediate parent, `.` for
 * the repo root). A turn without tool calls counts under the tool `(none)` and under no file.
 * Breakdown values are rounded (tokens to integers, cost to 6 decimals) only when written.
 */
import type { TokenUsage } from '../../vocabulary/turns.js';
import type { TokenTurnRecord } from './token-records.js';

export interface TokenBucket {
  /** Turns for role/phase/model breakdowns; tool calls for tool/file/directory breakdowns. */
  count: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** input + output. */
  total: number;
  cost: number;
}

export interface TokenSummary {
  turns: number;
  runs: number;
  firstAt: string | null;
  lastAt: string | null;
  totals: TokenBucket & { modelRequests: number };
  byRole: Record<string, TokenBucket>;
  byPhase: Record<string, TokenBucket>;
  byModel: Record<string, TokenBucket>;
  byTool: Record<string, TokenBucket>;
  byFile: Record<string, TokenBucket>;
  byDirectory: Record<string, TokenBucket>;
  attribution: string;
}

export const ATTRIBUTION_RULE =
  "roles, phases and models are exact; a turn's usage is split evenly across its tool calls, and a call's share goes to its tool and, when it names a path, to that file and the file's directory";
export const NO_PHASE = '(no phase)';
export const NO_TOOL = '(none)';
export const DEFAULT_MODEL = '(pi default)';

const emptyBucket = (): TokenBucket => ({
  count: 0,
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  total: 0,
  cost: 0,
});

function add(map: Map<string, TokenBucket>, key: string, usage: TokenUsage, share: number): void {
  const bucket = map.get(key) ?? emptyBucket();
  bucket.count += 1;
  bucket.input += usage.input * share;
  bucket.output += usage.output * share;
  bucket.cacheRead += usage.cacheRead * share;
  bucket.cacheWrite += usage.cacheWrite * share;
  bucket.total += (usage.input + usage.output) * share;
  bucket.cost += usage.cost * share;
  map.set(key, bucket);
}

const round = (bucket: TokenBucket): TokenBucket => ({
  count: bucket.count,
  input: Math.round(bucket.input),
  output: Math.round(bucket.output),
  cacheRead: Math.round(bucket.cacheRead),
  cacheWrite: Math.round(bucket.cacheWrite),
  total: Math.round(bucket.total),
  cost: Math.round(bucket.cost * 1e6) / 1e6,
});

/** Largest first (by total tokens, then name), so the expensive entries lead. */
function sorted(map: Map<string, TokenBucket>): Record<string, TokenBucket> {
  return Object.fromEntries(
    [...map.entries()]
      .sort(([a, x], [b, y]) => y.total - x.total || (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, bucket]) => [key, round(bucket)]),
  );
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : file.slice(0, slash);
}

export function summarizeTokens(records: readonly TokenTurnRecord[]): TokenSummary {
  const totals = emptyBucket();
  let modelRequests = 0;
  const maps = {
    role: new Map<string, TokenBucket>(),
    phase: new Map(),
    model: new Map(),
    tool: new Map(),
    file: new Map(),
    dir: new Map(),
  };
  for (const record of records) {
    const { usage } = record;
    totals.count += 1;
    totals.input += usage.input;
    totals.output += usage.output;
    totals.cacheRead += usage.cacheRead;
    totals.cacheWrite += usage.cacheWrite;
    totals.total += usage.input + usage.output;
    totals.cost += usage.cost;
    modelRequests += record.modelRequests;
    add(maps.role, record.role, usage, 1);
    add(maps.phase, record.phase ?? NO_PHASE, usage, 1);
    add(maps.model, record.model ?? DEFAULT_MODEL, usage, 1);
    if (record.tools.length === 0) add(maps.tool, NO_TOOL, usage, 1);
    const share = 1 / Math.max(1, record.tools.length);
    for (const call of record.tools) {
      add(maps.tool, call.name, usage, share);
      if (call.path) {
        add(maps.file, call.path, usage, share);
        add(maps.dir, directoryOf(call.path), usage, share);
      }
    }
  }
  return {
    turns: records.length,
    runs: new Set(records.map((record) => record.runId)).size,
    firstAt: records[0]?.at ?? null,
    lastAt: records.at(-1)?.at ?? null,
    totals: { ...round(totals), modelRequests },
    byRole: sorted(maps.role),
    byPhase: sorted(maps.phase),
    byModel: sorted(maps.model),
    byTool: sorted(maps.tool),
    byFile: sorted(maps.file),
    byDirectory: sorted(maps.dir),
    attribution: ATTRIBUTION_RULE,
  };
}
