/** Guards for values parsed from JSON text, read once at the edge and then typed. */

export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array): the shape every JSON record we read must have. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of a JSON record when it is a string; undefined when missing or of another type. */
export function stringField(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** A field of a JSON record when it is a finite number. */
export function numberField(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A field of a JSON record when it is a boolean. */
export function booleanField(record: JsonObject, key: string): boolean | undefined {
  const value = record[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** A field of a JSON record when it is a plain object. */
export function objectField(record: JsonObject, key: string): JsonObject | undefined {
  const value = record[key];
  return isObject(value) ? value : undefined;
}

/** The plain objects in an array field (anything else in it is skipped). */
export function objectList(record: JsonObject, key: string): JsonObject[] {
  const value = record[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
}
