/**
 * The visual review prompt: screenshots of the product after the coding agents' work go
 * to a vision model, with what was being worked on, and the model answers one JSON object.
 *
 * The answer format is described in words, never shown as a JSON example: an instruction that
 * itself parsed as `{"verdict": "PASS", …}` would turn a model that merely echoes it into a pass
 * (the same reason the tester's verdict parser refuses "VERDICT: PASS | FAIL").
 */
import { capLines, capList, cleanOutput, limit, lineLimit, truncateLongLines } from './compact.js';
import { code, fenced, joinSections } from './sections.js';
import type { PromptCaps } from './types.js';

/** First line of every visual review prompt; scripted models recognise the role by it. */
export const VISUAL_REVIEW_HEADING = '# Visual review';

export interface VisualReviewPromptInput {
  task: string;
  phase: string | null;
  changedFiles: readonly string[];
  /** The screens sent, in the order of the attached images. */
  screens: readonly { id: string; label: string }[];
  /** Screens captured but not sent (visualReviewMaxImages). */
  omittedScreens?: number;
  maxImages?: number;
  /** Feedback of the previous non-PASS review, so the reviewer can check it was addressed. */
  previousFeedback?: string;
  caps: PromptCaps;
}

function contextSection(input: VisualReviewPromptInput): string {
  const lines = ['## What was worked on'];
  if (input.phase) lines.push(`- Phase: ${input.phase}`);
  lines.push(`- Task: ${input.task || '(none given)'}`);
  if (input.changedFiles.length > 0) {
    const capped = capList(input.changedFiles, limit(input.caps, 'maxPromptChangedFiles'), 'file');
    lines.push('- Changed files:', ...capped.items.map((file) => `  - ${file}`));
    if (capped.note) lines.push(`  - ${capped.note}`);
  }
  return lines.join('\n');
}

function screensSection(input: VisualReviewPromptInput): string {
  const lines = ['## Screens', 'The attached images, in this order:'];
  input.screens.forEach((screen, i) => {
    lines.push(`${i + 1}. ${code(screen.id)}${screen.label && screen.label !== screen.id ? ` — ${screen.label}` : ''}`);
  });
  if (input.omittedScreens) {
    lines.push(
      `(${input.omittedScreens} more screen(s) were captured but not sent: at most ${input.maxImages ?? input.screens.length} images go to review.)`,
    );
  }
  return lines.join('\n');
}

function previousSection(input: VisualReviewPromptInput): string | undefined {
  const text = cleanOutput(input.previousFeedback ?? '');
  if (text === '') return undefined;
  const capped = capLines(truncateLongLines(text, lineLimit(input.caps)), limit(input.caps, 'maxVisualFeedbackLines'), {
    keep: 'head',
  });
  return [
    '## Earlier visual findings',
    'An earlier review reported the problems below. Check whether they are fixed now.',
    fenced(capped.text),
  ].join('\n');
}

const ANSWER_SECTION = [
  '## Answer',
  'Judge whether the screens look right for the work described and are free of visible defects: broken or overlapping layout, cut-off or unreadable text, error messages or stack traces, blank or missing content, placeholder text that should be gone.',
  '- PASS when nothing is visibly wrong.',
  '- FAIL when something is visibly wrong. Give one finding per problem, starting with the screen id.',
  '- BLOCKED when the images cannot be judged: blank, the wrong application, unreadable.',
  'Reply with one JSON object and nothing else. It has three keys: "verdict", a string holding exactly one of the three words above; "summary", one sentence; "findings", an array of strings (empty when there is nothing to report).',
].join('\n');

export function buildVisualReviewPrompt(input: VisualReviewPromptInput): string {
  return joinSections([
    VISUAL_REVIEW_HEADING,
    'You review screenshots of a software product after an automated coding agent changed it. You cannot run or open anything: judge only what the attached images show.',
    contextSection(input),
    screensSection(input),
    previousSection(input),
    ANSWER_SECTION,
  ]);
}
