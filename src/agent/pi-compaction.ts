/**
 * Compaction settings for models with small context windows. pi's compaction defaults are
 * absolute (`reserveTokens` 16384, `keepRecentTokens` 20000, pi 0.87 settings-manager.js) and are
 * not scaled by the model's `contextWindow`. Observed with a 4096-token model: the threshold
 * check fires after every answer, but there are never 20000 tokens to keep, so nothing is ever
 * summarised, and an overflow 400 ends the turn with no compaction at all. We therefore write
 * per-model overrides (`compaction.modelOverrides["provider/id"]`) scaled to the window.
 */
import { isObject, type JsonObject } from '../util/json.js';

const PI_DEFAULT_RESERVE = 16384;
const PI_DEFAULT_KEEP_RECENT = 20000;

export interface CompactionOverride {
  reserveTokens?: number;
  keepRecentTokens?: number;
}

/**
 * A quarter of the window for recent context, and room for one full answer (up to half the
 * window) before the threshold; never above pi's own defaults. Undefined when the defaults fit.
 */
export function compactionOverrideFor(
  contextWindow: number | undefined,
  maxTokens: number | undefined,
): CompactionOverride | undefined {
  if (contextWindow === undefined || !Number.isFinite(contextWindow) || contextWindow <= 0) return undefined;
  const quarter = Math.floor(contextWindow / 4);
  const answer = Math.min(maxTokens ?? 0, Math.floor(contextWindow / 2));
  const reserve = Math.min(PI_DEFAULT_RESERVE, Math.max(quarter, answer));
  const keep = Math.min(PI_DEFAULT_KEEP_RECENT, quarter);
  const override: CompactionOverride = {};
  if (reserve < PI_DEFAULT_RESERVE) override.reserveTokens = reserve;
  if (keep < PI_DEFAULT_KEEP_RECENT) override.keepRecentTokens = keep;
  return Object.keys(override).length > 0 ? override : undefined;
}

/** Adds our overrides to `settings`; a user's own override of a model (or field) wins. */
export function withCompactionOverrides(
  settings: JsonObject,
  models: Record<string, { contextWindow?: number; maxTokens?: number }>,
): JsonObject {
  const compaction = isObject(settings.compaction) ? { ...settings.compaction } : {};
  const overrides = isObject(compaction.modelOverrides) ? { ...compaction.modelOverrides } : {};
  let changed = false;
  for (const [ref, endpoint] of Object.entries(models)) {
    const ours = compactionOverrideFor(endpoint.contextWindow, endpoint.maxTokens);
    if (!ours) continue;
    const user = isObject(overrides[ref]) ? overrides[ref] : {};
    overrides[ref] = { ...ours, ...user };
    changed = true;
  }
  if (!changed) return settings;
  return { ...settings, compaction: { ...compaction, modelOverrides: overrides } };
}
