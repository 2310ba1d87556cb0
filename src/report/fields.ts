/**
 * Loose readers for journal events. The report reads journals written by any version of the
 * harness (and by a harness that crashed mid-line), so it never trusts an event's shape: every
 * field is read through these, and a missing or mistyped field reads as "unknown", never a throw.
 */

export type LooseEvent = Readonly<Record<string, unknown>>;

export function str(event: LooseEvent, key: string): string | undefined {
  const value = event[key];
  return typeof value === 'string' ? value : undefined;
}

export function num(event: LooseEvent, key: string): number | undefined {
  const value = event[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function bool(event: LooseEvent, key: string): boolean | undefined {
  const value = event[key];
  return typeof value === 'boolean' ? value : undefined;
}

export function obj(event: LooseEvent, key: string): LooseEvent | undefined {
  const value = event[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LooseEvent) : undefined;
}

export function strings(event: LooseEvent, key: string): string[] {
  const value = event[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function objects(event: LooseEvent, key: string): LooseEvent[] {
  const value = event[key];
  return Array.isArray(value)
    ? value.filter((item): item is LooseEvent => typeof item === 'object' && item !== null && !Array.isArray(item))
    : [];
}

/** Token usage as the report counts it; every field defaults to 0. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

export function zeroUsage(): Usage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
}

export function usageOf(event: LooseEvent, key = 'usage'): Usage | undefined {
  const usage = obj(event, key);
  if (!usage) return undefined;
  return {
    input: num(usage, 'input') ?? 0,
    output: num(usage, 'output') ?? 0,
    cacheRead: num(usage, 'cacheRead') ?? 0,
    cacheWrite: num(usage, 'cacheWrite') ?? 0,
    cost: num(usage, 'cost') ?? 0,
  };
}

/** Adds `b` into `a` in place (the report folds thousands of turns; no copies). */
export function addInto(a: Usage, b: Usage): Usage {
  a.input += b.input;
  a.output += b.output;
  a.cacheRead += b.cacheRead;
  a.cacheWrite += b.cacheWrite;
  a.cost += b.cost;
  return a;
}
