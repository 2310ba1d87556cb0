/**
 * A harness file written by a newer version of pi-harness (its `version` field is higher than this
 * version reads). Such a file is never moved aside, rewritten or judged stale: the run stops before
 * changing anything and says which file it is (the CLI exits 2).
 */
import { isObject } from '../util/json.js';

export class NewerVersionError extends Error {
  readonly file: string;
  readonly found: number;

  constructor(file: string, found: number, supported: number) {
    super(
      `${file} was written by a newer pi-harness (format version ${found}; this version reads up to ${supported}). ` +
        'Nothing was changed: use the newer pi-harness here, or move that file away if you mean to go back.',
    );
    this.name = 'NewerVersionError';
    this.file = file;
    this.found = found;
  }
}

/** The format version a parsed JSON record declares, when it is newer than `supported`. */
export function newerVersionOf(value: unknown, supported: number): number | undefined {
  if (!isObject(value)) return undefined;
  const version = value.version;
  return typeof version === 'number' && Number.isFinite(version) && version > supported ? version : undefined;
}
