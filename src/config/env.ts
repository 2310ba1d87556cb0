/**
 * Environment overrides. Which variable overrides which field is read from the schema's `x-env`
 * metadata, and how its text becomes a value is decided by the field's type in the schema, so
 * adding a field never means touching this file.
 */
import { z } from '../util/validator.js';
import { ConfigSchema, type ConfigKey } from './schema.js';
import type { ConfigProblem } from './errors.js';

export interface EnvBinding {
  field: ConfigKey;
  variable: string;
}

/** Every field that has an environment variable, in schema order. */
export function envBindings(): EnvBinding[] {
  const bindings: EnvBinding[] = [];
  for (const [field, schema] of Object.entries(ConfigSchema.shape)) {
    const variable = z.globalRegistry.get(schema as z.ZodType)?.['x-env'];
    if (typeof variable === 'string') bindings.push({ field: field as ConfigKey, variable });
  }
  return bindings;
}

type ValueKind = 'number' | 'integer' | 'boolean' | 'text';

/** Strip default/optional/pipe wrappers to find what kind of text the variable must hold. */
function valueKind(schema: z.ZodType): ValueKind {
  const def = (schema as z.ZodType)._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'nullable':
    case 'prefault':
      return def.innerType ? valueKind(def.innerType) : 'text';
    case 'pipe':
      return def.in ? valueKind(def.in) : 'text';
    case 'number':
      return (schema as z.ZodNumber).isInt ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

function parseEnvValue(kind: ValueKind, raw: string): { ok: true; value: unknown } | { ok: false; expected: string } {
  const text = raw.trim();
  switch (kind) {
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return {
        ok: false,
        expected: `expected a boolean (true/false, 1/0, yes/no, on/off), got ${JSON.stringify(raw)}`,
      };
    }
    case 'integer':
    case 'number': {
      // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
      const pattern = kind === 'integer' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
      if (!pattern.test(text)) {
        return {
          ok: false,
          expected: `expected ${kind === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`,
        };
      }
      return { ok: true, value: Number(text) };
    }
    case 'text':
      return { ok: true, value: raw };
  }
}

export interface EnvOverrides {
  values: Partial<Record<ConfigKey, unknown>>;
  /** Field -> variable that set it, so validation errors can name the variable. */
  sources: Partial<Record<ConfigKey, string>>;
  problems: ConfigProblem[];
}

/** Read every bound variable that is set. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const result: EnvOverrides = { values: {}, sources: {}, problems: [] };
  for (const { field, variable } of envBindings()) {
    const raw = env[variable];
    if (raw === undefined) continue;
    const schema = ConfigSchema.shape[field] as z.ZodType;
    // An empty variable means "not set" (VAR= cmd is common in scripts), except where an empty
    // value is meaningful to the field itself: `PI_TEST_CMD=` turns verification off.
    if (raw.trim() === '' && !schema.safeParse('').success) continue;
    const kind = valueKind(schema);
    const parsed = parseEnvValue(kind, raw);
    if (parsed.ok) {
      result.values[field] = parsed.value;
      result.sources[field] = `environment variable ${variable}`;
    } else {
      result.problems.push({ source: `environment variable ${variable}`, field, expected: parsed.expected });
    }
  }
  return result;
}
