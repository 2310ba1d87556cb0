/**
 * Where the tokens went, over the runs the report shows: the runs' tallies (src/journal/fold) per
 * role, model, tool and file, largest first. Roles and models are exact; tools and files are
 * estimates (each tool call carries an even share of its turn's tokens) — enough to see which file
 * the agents kept going back to, which is what a hotspot list is for.
 */
import type { Tallies, Tally } from '../journal/fold/facts.js';
import type { ReportDocument } from './types.js';

export const HOTSPOT_LIMIT = 10;

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

function top(map: ReadonlyMap<string, Tally>, limit: number) {
  return [...map.entries()]
    .map(([key, tally]) => ({ key, ...tally }))
    .sort((a, b) => b.tokens - a.tokens || b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((entry) => ({ ...entry, tokens: Math.round(entry.tokens), cost: round6(entry.cost) }));
}

export function hotspotsOf(tallies: Tallies, limit = HOTSPOT_LIMIT): ReportDocument['hotspots'] {
  return {
    byRole: top(tallies.byRole, limit),
    byModel: top(tallies.byModel, limit),
    byTool: top(tallies.byTool, limit),
    byFile: top(tallies.byFile, limit),
  };
}
