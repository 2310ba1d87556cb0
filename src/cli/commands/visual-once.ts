/**
 * `pi-harness visual-once`: one manual capture + visual review of the tree as it is now
 * (docs/visual-review.md). It takes the run lock (it writes the feedback file a run would read, and empties the capture
 * dir a run would use), reviews in the context of the first open task, writes the history record,
 * and writes or clears the feedback exactly as a review inside the loop would. It never vetoes
 * anything: there is no iteration to take back. Exit 0 on PASS, 1 otherwise.
 */
import path from 'node:path';
import { createTransport } from '../../agent/create-transport.js';
import type { Config } from '../../config/load.js';
import { openRun } from '../../runtime/open-run.js';
import { harnessOwnPaths } from '../../runtime/own-paths.js';
import { loadTaskFile } from '../../tasks/index.js';
import { performVisualReview, saveReview } from '../../visual/perform.js';
import type { VisualReviewRecord } from '../../visual/record.js';
import { userDirtyPaths } from '../../workspace/changes.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withStopSignal } from './visual-common.js';

/** The first open task gives the review its context; none is fine (the review is then generic). */
async function currentTask(config: Config): Promise<{ text: string; phase: string | null }> {
  try {
    const task = (await loadTaskFile(config.taskFile)).file.tasks.find((candidate) => !candidate.done);
    return task ? { text: task.text, phase: task.phase } : { text: '', phase: null };
  } catch {
    return { text: '', phase: null };
  }
}

function describe(record: VisualReviewRecord, config: Config, feedbackCleared: boolean): string {
  const rel = (file: string) => path.relative(config.repoRoot, file) || file;
  const lines = [`visual review: ${record.verdict}${record.summary ? ` — ${record.summary}` : ''}`];
  for (const finding of record.findings) lines.push(`  - ${finding}`);
  for (const problem of record.problems ?? []) lines.push(`  - ${problem}`);
  if (record.images.length > 0) {
    const omitted =
      record.omittedImages > 0
        ? `; ${record.omittedImages} more not sent (visualReviewMaxImages ${config.visualReviewMaxImages})`
        : '';
    lines.push(`images: ${record.images.map((image) => image.id).join(', ')}${omitted}`);
  }
  if (record.capture && !record.fromModel && record.capture.outputTail.trim() !== '') {
    lines.push(
      'capture output (last lines):',
      ...record.capture.outputTail
        .trim()
        .split('\n')
        .slice(-10)
        .map((line) => `  ${line}`),
    );
  }
  for (const warning of record.warnings ?? []) lines.push(`warning: ${warning}`);
  lines.push(`record: ${rel(record.historyFile)}`);
  if (record.verdict === 'PASS') {
    lines.push(
      `feedback: none${feedbackCleared ? ` (the earlier findings in ${rel(record.feedbackFile)} were cleared)` : ''}`,
    );
  } else {
    lines.push(
      `feedback: written to ${rel(record.feedbackFile)}; every developer prompt includes it until a visual review passes (or the file is deleted)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function visualOnceCommand(config: Config, io: CliIo, json: boolean): Promise<ExitCode> {
  if (!config.visualCaptureCommand?.trim()) {
    io.stderr(
      'pi-harness visual-once: visualCaptureCommand is not set; set it (or PI_VISUAL_CAPTURE_CMD) to a command that writes screenshots and manifest.json into $PI_VISUAL_CAPTURE_DIR\n',
    );
    return EXIT.usage;
  }
  const opened = await openRun(config, 'pi-harness visual-once', 'visual review');
  if (opened.kind === 'held') {
    io.stderr(`pi-harness: ${opened.error.message}\n`);
    return EXIT.locked;
  }
  const { runId, runDir, lock } = opened;
  try {
    const task = await currentTask(config);
    const changedFiles = await userDirtyPaths(config.repoRoot, harnessOwnPaths(config)).catch(() => []);
    const { transport, warnings } = await createTransport(config, runDir, io.env);
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
    try {
      const outcome = await withStopSignal(io, 'visual-once', (signal) =>
        performVisualReview({
          config,
          transport,
          env: io.env,
          runId,
          iteration: 0,
          trigger: 'manual',
          task: task.text,
          phase: task.phase,
          changedFiles,
          signal,
        }),
      );
      if (outcome.kind === 'aborted') {
        io.stderr('pi-harness visual-once: stopped before a verdict; nothing was written\n');
        return EXIT.interrupted;
      }
      const { feedbackCleared } = await saveReview(outcome.record);
      io.stdout(
        json
          ? `${JSON.stringify({ ...outcome.record, feedbackCleared }, null, 2)}\n`
          : describe(outcome.record, config, feedbackCleared),
      );
      return outcome.record.verdict === 'PASS' ? EXIT.ok : EXIT.iterationFailed;
    } finally {
      await transport.close();
    }
  } finally {
    await lock.release();
  }
}
