/**
 * Where the tokens went: per role, per model, per tool and per file. Roles and models are exact
 * (summed turn usage). Tools and files are estimates: pi reports usage per turn, not per tool
 * call, so a turn's tokens are shared evenly across its tool calls — enough to see which file the
 * agents kept going back to, which is what a hotspot list is for.
 */
import { zeroUsage, type Usage } from './fields.js';
import type { Hotspot } from './types.js';

export const HOTSPOT_LIMIT = 10;

export const DEFAULT_MODEL_KEY = '(pi default)';

function bump(map: Map<string, Hotspot>, key: string, tokens: number, cost: number, durationMs: number): void {
  let entry = map.get(key);
  if (!entry) {
    entry = { key, count: 0, tokens: 0, cost: 0, durationMs: 0 };
    map.set(key, entry);
  }
  entry.count += 1;
  entry.tokens += tokens;
  entry.cost += cost;
  entry.durationMs += durationMs;
}

function top(map: Map<string, Hotspot>, limit: number): Hotspot[] {
  return [...map.values()]
    .sort((a, b) => b.tokens - a.tokens || b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((entry) => ({ ...entry, tokens: Math.round(entry.tokens), cost: round6(entry.cost) }));
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export class HotspotTally {
  private readonly roles = new Map<string, Hotspot>();
  private readonly models = new Map<string, Hotspot>();
  private readonly tools = new Map<string, Hotspot>();
  private readonly files = new Map<string, Hotspot>();
  readonly total: Usage = zeroUsage();

  addTurn(role: string, model: string | null, usage: Usage, durationMs: number): void {
    const tokens = usage.input + usage.output;
    bump(this.roles, role, tokens, usage.cost, durationMs);
    bump(this.models, model ?? DEFAULT_MODEL_KEY, tokens, usage.cost, durationMs);
  }

  /** One tool call, carrying its share of its turn's tokens and cost. */
  addTool(name: string, file: string | undefined, tokens: number, cost: number, durationMs: number): void {
    bump(this.tools, name, tokens, cost, durationMs);
    if (file) bump(this.files, file, tokens, cost, durationMs);
  }

  result(limit = HOTSPOT_LIMIT): { byRole: Hotspot[]; byModel: Hotspot[]; byTool: Hotspot[]; byFile: Hotspot[] } {
    return {
      byRole: top(this.roles, limit),
      byModel: top(this.models, limit),
      byTool: top(this.tools, limit),
      byFile: top(this.files, limit),
    };
  }
}
