/**
 * What one visual review leaves behind: a history record per review
 * (`visualReviewHistoryDir/<runId>-<iteration>.json`: verdict, findings, the images sent, the raw
 * answer) and, while the product is known to look wrong, the feedback file the next developer
 * prompts quote. The feedback file exists exactly while a review's findings are unresolved: a
 * non-PASS writes it, a later PASS removes it.
 */
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TokenUsage } from '../vocabulary/turns.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { VisualVerdict } from '../vocabulary/verdicts.js';

export interface VisualReviewRecord {
  runId: string;
  /** The iteration after which the review ran; 0 for a manual review (visual-once). */
  iteration: number;
  trigger: 'loop' | 'manual';
  at: string;
  task: string;
  phase: string | null;
  changedFiles: string[];
  verdict: VisualVerdict;
  summary: string;
  findings: string[];
  /** The model gave the verdict; false when the harness decided BLOCKED (see `error`). */
  fromModel: boolean;
  /** Why the harness decided BLOCKED: capture failed, manifest invalid, no answer... */
  error?: string;
  /** Each problem with the manifest or its images, naming the screen's id and path. */
  problems?: string[];
  images: { id: string; label: string; path: string; mimeType: string; bytes: number }[];
  /** Screens captured beyond visualReviewMaxImages, not sent. */
  omittedImages: number;
  model?: string;
  /** The model's answer exactly as given (kept even when it could not be parsed). */
  rawAnswer: string;
  capture?: { command: string; outcome: string; exitCode: number | null; durationMs: number; outputTail: string };
  usage?: TokenUsage;
  durationMs: number;
  historyFile: string;
  /** Where the feedback went (non-PASS), or the file that a PASS cleared. */
  feedbackFile: string;
  /** Things the user should know that did not change the verdict (e.g. the capture dirtied the tree). */
  warnings?: string[];
  /** Set by the loop when the review vetoed the iteration: where its work was kept. */
  veto?: { rescueRef?: string; rescueCommit?: string; patchFile?: string; revertedCommit?: string };
}

export function historyFileFor(historyDir: string, runId: string, iteration: number): string {
  return path.join(historyDir, `${runId}-${iteration}.json`);
}

export async function writeHistory(record: VisualReviewRecord): Promise<void> {
  await writeFileAtomic(record.historyFile, `${JSON.stringify(record, null, 2)}\n`);
}

/** The feedback the developer will read: the verdict and summary first (the prompt keeps the head). */
export function formatFeedback(record: VisualReviewRecord, captureTailLines = 10): string {
  const where =
    record.trigger === 'manual' ? 'a manual visual review' : `the visual review after iteration ${record.iteration}`;
  const lines = [`Visual review ${record.verdict} (${where}, run ${record.runId}, ${record.at}).`];
  if (record.summary) lines.push(`Summary: ${record.summary}`);
  if (record.error) lines.push(`Problem: ${record.error}`);
  if (record.veto?.rescueRef) {
    lines.push(
      `That iteration was vetoed: its work is kept in ${record.veto.rescueRef} and was taken out of the tree. Reuse what was right (git show ${record.veto.rescueRef} --stat) and fix what the review found.`,
    );
  }
  if (record.findings.length > 0) lines.push('Findings:', ...record.findings.map((finding) => `- ${finding}`));
  if (record.problems && record.problems.length > 0)
    lines.push('Problems:', ...record.problems.map((problem) => `- ${problem}`));
  const tail = record.capture?.outputTail.trim();
  if (tail && record.verdict !== 'PASS' && !record.fromModel) {
    lines.push(
      'Capture output (last lines):',
      ...tail
        .split('\n')
        .slice(-captureTailLines)
        .map((line) => `  ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function writeFeedback(file: string, record: VisualReviewRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, formatFeedback(record));
}

/** Removes the feedback after a PASS; true when there was some. */
export async function clearFeedback(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch {
    return false;
  }
}

/** The pending feedback for the next developer prompt, or undefined when there is none. */
export async function readFeedback(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trim() === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
