/**
 * The guard context's shape, checked by hand: this module runs inside every pi process (the
 * guardrails extension), where a schema library would cost each pi several MiB for twelve fields.
 * Unknown fields are dropped; a missing list is empty; the first problem is named with its field.
 */
import { GUARDRAIL_MODES } from './rules.js';
import type { GuardrailMode } from '../vocabulary/guardrails.js';

export interface GuardContext {
  version: 1;
  mode: GuardrailMode;
  /** The work tree's top directory (absolute). */
  repoRoot: string;
  /** This work tree's git directory (absolute). */
  gitDir: string;
  /** The git directory shared by all work trees of the repository (absolute). */
  gitCommonDir: string;
  /** The harness's runtime directory in the work tree (absolute). */
  runtimeDir?: string;
  /** More directories the agent may not write (absolute). */
  protectedDirs: string[];
  /** The commit the iteration started from; without it no commit counts as the iteration's own. */
  startCommit?: string;
  role?: string;
  iteration?: number | string;
  /** Repository-relative paths that were dirty before the iteration began: the user's work. */
  preDirty: string[];
  /** Repository-relative paths that were ignored (and present) when the iteration began. */
  ignoredAtStart: string[];
  /** Command patterns exempt from the rules. */
  allow: string[];
  /** Command patterns blocked besides the rules. */
  deny: string[];
}

/** What the harness writes: the lists may be left out. */
export type GuardContextInput = Omit<GuardContext, ListField> & Partial<Pick<GuardContext, ListField>>;

type ListField = 'protectedDirs' | 'preDirty' | 'ignoredAtStart' | 'allow' | 'deny';
const LISTS: readonly ListField[] = ['protectedDirs', 'preDirty', 'ignoredAtStart', 'allow', 'deny'];
const REQUIRED_PATHS = ['repoRoot', 'gitDir', 'gitCommonDir'] as const;
const OPTIONAL_STRINGS = ['runtimeDir', 'startCommit', 'role'] as const;

export type ContextCheck = { ok: true; context: GuardContext } | { ok: false; problem: string };

class ShapeError extends Error {}

function fail(field: string, message: string): never {
  throw new ShapeError(`${field}: ${message}`);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    fail(field, 'expected a list of strings');
  return [...(value as string[])];
}

function checked(value: unknown): GuardContext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(root)', 'expected an object');
  const record = value as Record<string, unknown>;
  if (record.version !== 1) fail('version', 'expected 1');
  const mode = record.mode;
  if (typeof mode !== 'string' || !(GUARDRAIL_MODES as readonly string[]).includes(mode))
    fail('mode', `expected one of ${GUARDRAIL_MODES.join(', ')}`);
  const context = { version: 1, mode: mode as GuardrailMode } as GuardContext;
  for (const field of REQUIRED_PATHS) {
    const text = record[field];
    if (typeof text !== 'string' || text === '') fail(field, 'expected a non-empty string');
    context[field] = text;
  }
  for (const field of OPTIONAL_STRINGS) {
    const text = record[field];
    if (text === undefined) continue;
    if (typeof text !== 'string') fail(field, 'expected a string');
    context[field] = text;
  }
  const iteration = record.iteration;
  if (iteration !== undefined) {
    if (typeof iteration !== 'number' && typeof iteration !== 'string')
      fail('iteration', 'expected a number or string');
    context.iteration = iteration;
  }
  for (const field of LISTS) context[field] = stringList(record[field], field);
  return context;
}

/** The context in `value`, lists filled in and unknown fields dropped, or its first problem. */
export function checkGuardContext(value: unknown): ContextCheck {
  try {
    return { ok: true, context: checked(value) };
  } catch (error) {
    if (error instanceof ShapeError) return { ok: false, problem: error.message };
    throw error;
  }
}

/** As checkGuardContext, throwing on a problem (the harness's own writes: a bug if it fails). */
export function guardContext(value: GuardContextInput): GuardContext {
  const check = checkGuardContext(value);
  if (!check.ok) throw new Error(`invalid guard context (${check.problem})`);
  return check.context;
}
