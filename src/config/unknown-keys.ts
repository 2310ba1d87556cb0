/**
 * Unknown keys are warnings, not errors (a newer config read by an older harness should still run),
 * but a typo must not pass silently: each one is named, with the closest known key when there is one.
 */

export interface KnownKeys {
  topLevel: readonly string[];
  roles: readonly string[];
  modelEndpoint: readonly string[];
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function unknownIn(object: unknown, known: readonly string[], prefix: string): string[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return [];
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => `unknown key "${prefix}${key}" is ignored${suggestion(key, known)}`);
}

export function unknownKeyWarnings(config: Record<string, unknown>, known: KnownKeys): string[] {
  const warnings = unknownIn(config, known.topLevel, '');
  warnings.push(...unknownIn(config.roleModels, known.roles, 'roleModels.'));
  const models = config.models;
  if (typeof models === 'object' && models !== null) {
    for (const [name, endpoint] of Object.entries(models)) {
      warnings.push(...unknownIn(endpoint, known.modelEndpoint, `models.${name}.`));
    }
  }
  return warnings;
}
