/**
 * Where a run's tokens and time went: per role and per model (exact, summed turn usage) and per
 * tool and per file (estimates: pi reports usage per turn, not per tool call, so each tool call of
 * a turn carries an even share of the turn's tokens and cost).
 */
import type { TokenUsage } from '../../vocabulary/turns.js';
import type { Tallies, Tally } from './facts.js';

/** The model key of turns that named none: pi used its own default. */
export const DEFAULT_MODEL_KEY = '(pi default)';

export function bump(map: Map<string, Tally>, key: string, tokens: number, cost: number, durationMs: number): void {
  let entry = map.get(key);
  if (!entry) {
    entry = { count: 0, tokens: 0, cost: 0, durationMs: 0 };
    map.set(key, entry);
  }
  entry.count += 1;
  entry.tokens += tokens;
  entry.cost += cost;
  entry.durationMs += durationMs;
}

export function tallyTurn(
  tallies: Tallies,
  turn: { role: string; model: string | null; usage: TokenUsage; durationMs: number },
): void {
  const tokens = turn.usage.input + turn.usage.output;
  bump(tallies.byRole, turn.role, tokens, turn.usage.cost, turn.durationMs);
  bump(tallies.byModel, turn.model ?? DEFAULT_MODEL_KEY, tokens, turn.usage.cost, turn.durationMs);
}

/** Adds `from` into `into` (the report sums the runs it shows). */
export function mergeTallies(into: Tallies, from: Tallies): void {
  for (const key of ['byRole', 'byModel', 'byTool', 'byFile'] as const) {
    for (const [name, tally] of from[key]) {
      const entry = into[key].get(name);
      if (entry) {
        entry.count += tally.count;
        entry.tokens += tally.tokens;
        entry.cost += tally.cost;
        entry.durationMs += tally.durationMs;
      } else into[key].set(name, { ...tally });
    }
  }
}

/**
 * A tool's path relative to the repository, for grouping by file. Plain string work (no node:path)
 * so the fold runs anywhere, a browser included: paths outside the repository stay absolute.
 */
export function repoRelative(repoRoot: string | null, file: string): string {
  if (!file.startsWith('/')) return file.replace(/^(?:\.\/)+/, '');
  if (!repoRoot) return file;
  const root = repoRoot.endsWith('/') ? repoRoot : `${repoRoot}/`;
  return file.startsWith(root) && file.length > root.length ? file.slice(root.length) : file;
}
