/**
 * When the loop reviews: every visualReviewEveryNSuccesses successful iterations. The
 * count survives between runs, in `<piRuntimeDir>/visual/schedule.json`, so that repeated `once`
 * invocations (a cron job, a CI step) are reviewed as often as one long `run`.
 *
 * One deliberate addition: while feedback from a non-PASS review is pending, EVERY success is
 * reviewed. The developer was just told what looks wrong; the next success is the fix, and it
 * should be checked now rather than N iterations later. A PASS clears the feedback and the
 * normal rhythm resumes. A product that stays visually broken is then vetoed each time, and the
 * run's own breakers (maxConsecutiveFailures, maxTaskAttempts) stop it.
 */
import path from 'node:path';
import { z } from '../util/validator.js';
import type { Config } from '../config/load.js';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import { VISUAL_VERDICTS } from '../vocabulary/verdicts.js';

/** Changed files remembered for the next review's context; older ones are dropped. */
const MAX_REMEMBERED_FILES = 200;

const ScheduleSchema = z.object({
  version: z.literal(1),
  /** Successful iterations since the last review. */
  successesSinceReview: z.number().int().nonnegative(),
  /** Files those iterations changed (newest last), for the review's context and the capture env. */
  changedFiles: z.array(z.string()),
  last: z
    .object({ runId: z.string(), iteration: z.number().int(), verdict: z.enum(VISUAL_VERDICTS), at: z.string() })
    .optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export function scheduleFile(config: Pick<Config, 'piRuntimeDir'>): string {
  return path.join(config.piRuntimeDir, 'visual', 'schedule.json');
}

/** The schedule; a missing or unreadable file starts a fresh count (an unreadable one is moved aside). */
export async function loadSchedule(file: string): Promise<{ schedule: Schedule; warning?: string }> {
  const fresh: Schedule = { version: 1, successesSinceReview: 0, changedFiles: [] };
  const result = await readJsonFile(file, (value) => ScheduleSchema.parse(value));
  if (result.kind === 'ok') return { schedule: result.value };
  if (result.kind === 'missing') return { schedule: fresh };
  return {
    schedule: fresh,
    warning: `the visual review schedule could not be read (${result.reason}); it was moved to ${result.movedTo} and the count starts again`,
  };
}

export async function saveSchedule(file: string, schedule: Schedule): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(ScheduleSchema.parse(schedule), null, 2)}\n`);
}

export function noteSuccess(schedule: Schedule, changedFiles: readonly string[]): Schedule {
  const files = [...schedule.changedFiles.filter((file) => !changedFiles.includes(file)), ...changedFiles];
  return {
    ...schedule,
    successesSinceReview: schedule.successesSinceReview + 1,
    changedFiles: files.slice(-MAX_REMEMBERED_FILES),
  };
}

export function reviewDue(schedule: Schedule, everyN: number, feedbackPending: boolean): boolean {
  return feedbackPending || schedule.successesSinceReview >= everyN;
}

export function afterReview(schedule: Schedule, last: NonNullable<Schedule['last']>): Schedule {
  return { ...schedule, successesSinceReview: 0, changedFiles: [], last };
}
