/** Guards for values parsed from JSON text, read once at the edge and then typed. */

export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array): the shape every JSON record we read must have. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
