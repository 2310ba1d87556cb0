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

/**
 * The running sums a token summary is read from, one record added at a time: a long run keeps these
 * (a bucket per role, phase, model, tool, file and directory) instead of every turn's record, and
 * adds in the same order as a pass over the records would, so the figures are the same to the last
 * bit. Mutated in place by `addTokenRecord`: its owner keeps only the latest.
 */
export interface TokenTally {
  totals: TokenBucket;
  modelRequests: number;
  turns: number;
  runs: Set<string>;
  firstAt: string | null;
  lastAt: string | null;
  role: Map<string, TokenBucket>;
  phase: Map<string, TokenBucket>;
  model: Map<string, TokenBucket>;
  tool: Map<string, TokenBucket>;
  file: Map<string, TokenBucket>;
  dir: Map<string, TokenBucket>;
}

export function emptyTokenTally(): TokenTally {
  return {
    totals: emptyBucket(),
    modelRequests: 0,
    turns: 0,
    runs: new Set(),
    firstAt: null,
    lastAt: null,
    role: new Map(),
    phase: new Map(),
    model: new Map(),
    tool: new Map(),
    file: new Map(),
    dir: new Map(),
  };
}

export function addTokenRecord(tally: TokenTally, record: TokenTurnRecord): void {
  const { usage } = record;
  const { totals } = tally;
  totals.count += 1;
  totals.input += usage.input;
  totals.output += usage.output;
  totals.cacheRead += usage.cacheRead;
  totals.cacheWrite += usage.cacheWrite;
  totals.total += usage.input + usage.output;
  totals.cost += usage.cost;
  tally.modelRequests += record.modelRequests;
  tally.turns += 1;
  tally.runs.add(record.runId);
  tally.firstAt ??= record.at;
  tally.lastAt = record.at;
  add(tally.role, record.role, usage, 1);
  add(tally.phase, record.phase ?? NO_PHASE, usage, 1);
  add(tally.model, record.model ?? DEFAULT_MODEL, usage, 1);
  if (record.tools.length === 0) add(tally.tool, NO_TOOL, usage, 1);
  const share = 1 / Math.max(1, record.tools.length);
  for (const call of record.tools) {
    add(tally.tool, call.name, usage, share);
    if (call.path) {
      add(tally.file, call.path, usage, share);
      add(tally.dir, directoryOf(call.path), usage, share);
    }
  }
}

export function tokenSummaryOf(tally: TokenTally): TokenSummary {
  return {
    turns: tally.turns,
    runs: tally.runs.size,
    firstAt: tally.firstAt,
    lastAt: tally.lastAt,
    totals: { ...round(tally.totals), modelRequests: tally.modelRequests },
    byRole: sorted(tally.role),
    byPhase: sorted(tally.phase),
    byModel: sorted(tally.model),
    byTool: sorted(tally.tool),
    byFile: sorted(tally.file),
    byDirectory: sorted(tally.dir),
    attribution: ATTRIBUTION_RULE,
  };
}

export function summarizeTokens(records: readonly TokenTurnRecord[]): TokenSummary {
  const tally = emptyTokenTally();
  for (const record of records) addTokenRecord(tally, record);
  return tokenSummaryOf(tally);
}
