/**
 * What restoring the snapshot found, as `guardrail_restore` journal events: one per change, each
 * with the thing concerned and a phrase that says what the agents did and what the harness did.
 */
import type { JournalEventBody } from '../../journal/events.js';
import type { RestoreRecord } from '../../guardrails/snapshot/index.js';
import type { RestoreKind, RestoreMoment } from '../../vocabulary/guardrails.js';

type RestoreEvent = Extract<JournalEventBody, { type: 'guardrail_restore' }>;

/** Kinds that put something back; the others report what is kept as the agents left it. */
const PUTS_BACK: ReadonlySet<RestoreKind> = new Set([
  'ref_restored',
  'stash_restored',
  'stash_scrubbed',
  'git_file_restored',
  'hook_restored',
  'hook_removed',
  'ignored_restored',
]);

const short = (sha: string | null) => (sha === null ? 'nothing' : sha.replace(/^ref: /, '').slice(0, 12));

function createdRef(record: Extract<RestoreRecord, { kind: 'ref_created' }>, done: (text: string) => string): string {
  if (record.action === 'kept') return `created at ${short(record.target)}; kept`;
  const holding = (record.holding ?? []).join(', ');
  const deleted = done(`deleted the ref (commit ${record.target} stays in git's object store)`);
  return `created at ${short(record.target)}, its commits holding files you had ignored (${holding}); ${deleted}`;
}

/** What was found and what was done (or, `dryRun`, would have been done). */
function describe(record: RestoreRecord, dryRun: boolean): { target: string; detail: string } {
  const done = (text: string) => (dryRun ? `left as it is (warn mode; enforce would have ${text})` : text);
  switch (record.kind) {
    case 'ref_restored':
      return record.change === 'deleted'
        ? { target: record.ref, detail: `deleted; ${done(`recreated it at ${short(record.to)}`)}` }
        : {
            target: record.ref,
            detail: `moved to ${short(record.from)}; ${done(`set it back to ${short(record.to)}`)}`,
          };
    case 'ref_created':
      return { target: record.ref, detail: createdRef(record, done) };
    case 'stash_restored':
      return { target: 'refs/stash', detail: `${record.entries.length} entries gone; ${done('put them back')}` };
    case 'stash_scrubbed':
      return {
        target: 'refs/stash',
        detail:
          `an entry the agents made ("${record.message}") held files you had ignored ` +
          `(${record.removed.join(', ')}); ${done('rebuilt it without them')}`,
      };
    case 'git_file_restored':
      return {
        target: record.file,
        detail:
          record.change === 'created'
            ? `created; ${done(`moved it aside${record.movedTo ? ` to ${record.movedTo}` : ''}`)}`
            : `${record.change}; ${done('wrote the old bytes back')}`,
      };
    case 'hook_restored':
      return { target: `hooks/${record.hook}`, detail: `${record.change}; ${done('wrote the old bytes back')}` };
    case 'hook_removed':
      return { target: `hooks/${record.hook}`, detail: `planted; ${done(`moved it aside to ${record.movedTo}`)}` };
    case 'ignored_restored':
      return { target: record.path, detail: `ignored file deleted; ${done('wrote it back byte for byte')}` };
    case 'ignored_changed':
      return {
        target: record.path,
        detail: `ignored file changed; kept (the original is blob ${short(record.original)})`,
      };
    case 'ignored_visible':
      return { target: record.path, detail: 'ignored at the start, no longer ignored; never committed, bytes kept' };
    case 'restore_failed':
      return { target: record.target, detail: `could not be checked or put back: ${record.error}` };
  }
}

export function restoreEvent(
  record: RestoreRecord,
  options: { moment: RestoreMoment; iteration?: number; dryRun: boolean },
): RestoreEvent {
  const { target, detail } = describe(record, options.dryRun);
  return {
    type: 'guardrail_restore',
    ...(options.iteration !== undefined ? { iteration: options.iteration } : {}),
    moment: options.moment,
    kind: record.kind,
    target,
    detail,
    applied:
      !options.dryRun && (PUTS_BACK.has(record.kind) || (record.kind === 'ref_created' && record.action === 'deleted')),
  };
}
