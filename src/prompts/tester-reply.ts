/**
 * The tester's reply, read once: the protocol the tester prompt (tester.ts) spells out.
 *
 * The verdict: the last verdict line counts (a tester may quote an earlier verdict before
 * changing its mind); markdown decoration around it is tolerated. What offers choices is the
 * instruction being echoed, not a verdict: a line listing several ("VERDICT: PASS | FAIL",
 * "VERDICT: PASS or VERDICT: FAIL"), a list of adjacent verdict lines that differ, and any line
 * inside a code block. Only a turn that ended normally gives a verdict (`countedVerdict`). No
 * verdict is UNKNOWN, which is never a pass.
 *
 * The commit plan (`commitMode: "plan"`): the tester prints the commit it wants and the harness
 * makes it.
 *
 *   COMMIT_MESSAGE: Add the parser for CRLF task files
 *   COMMIT_FILES:
 *   - src/tasks/parse.ts
 *   - test/tasks.test.ts
 *
 * Files may also follow on the COMMIT_FILES line, comma- or space-separated. The last plan in the
 * message counts, as with verdicts.
 */
import type { TurnStatus } from '../vocabulary/turns.js';
import type { Verdict } from '../vocabulary/verdicts.js';

const DECORATION = /[*_`~>#\s]/g;
const VERDICT_LINE = /^VERDICT\s*[:=\-–—]\s*(PASS|FAIL|BLOCKED)\b(.*)$/i;

/** Strips list markers, quote markers and emphasis so `- **VERDICT:** \`PASS\`.` reads plainly. */
function plainLine(line: string): string {
  return line
    .trim()
    .replace(/^(?:[-*+]\s+|\d+[.)]\s+|>\s*)+/, '')
    .replace(DECORATION, (match) => (/\s/.test(match) ? ' ' : ''))
    .trim();
}

type Given = Exclude<Verdict, 'UNKNOWN'>;

function verdictOfLine(line: string): Given | undefined {
  const match = VERDICT_LINE.exec(plainLine(line));
  if (!match) return undefined;
  const rest = match[2]!.trim();
  // "PASS | FAIL | BLOCKED", "PASS or FAIL", "PASS/FAIL", "PASS or VERDICT: FAIL": an echo of the instruction.
  if (/^(?:[|/,]|or\b)\s*(?:VERDICT\s*[:=\-–—]\s*)?(?:PASS|FAIL|BLOCKED)\b/i.test(rest)) return undefined;
  if (/^[|/]/.test(rest)) return undefined;
  return match[1]!.toUpperCase() as Given;
}

const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * Each line's verdict, or undefined: lines inside a code block and lines of a list of differing
 * verdicts (the options, quoted) give none.
 */
function lineVerdicts(lines: readonly string[]): (Given | undefined)[] {
  let fence: string | undefined;
  const verdicts = lines.map((line) => {
    const opening = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
      return undefined;
    }
    if (opening !== undefined) {
      fence = opening;
      return undefined;
    }
    return verdictOfLine(line);
  });
  return verdicts.map((verdict, i) => {
    if (verdict === undefined) return undefined;
    const neighbours = [verdicts[i - 1], verdicts[i + 1]].filter((other) => other !== undefined);
    return neighbours.some((other) => other !== verdict) ? undefined : verdict;
  });
}

export function parseVerdict(finalText: string): Verdict {
  const verdicts = lineVerdicts(finalText.split(/\r?\n/));
  for (let i = verdicts.length - 1; i >= 0; i--) {
    const verdict = verdicts[i];
    if (verdict) return verdict;
  }
  return 'UNKNOWN';
}

/**
 * The verdict the harness counts: only a turn that ended normally gives one. A PASS written before
 * the turn timed out, stalled or failed is no judgement of the tree the turn left.
 */
export function countedVerdict(status: TurnStatus, finalText: string): Verdict {
  return status === 'success' ? parseVerdict(finalText) : 'UNKNOWN';
}

/** The tester's findings: its final message without the verdict line(s), trimmed. */
export function testerFindings(finalText: string): string {
  return finalText
    .split(/\r?\n/)
    .filter((line) => verdictOfLine(line) === undefined)
    .join('\n')
    .trim();
}

export interface CommitPlan {
  message: string;
  files: string[];
}

const MESSAGE_LINE = /^[*_`\s]*COMMIT_MESSAGE[*_`\s]*:[*_\s]*(.*)$/i;
const FILES_LINE = /^[*_`\s]*COMMIT_FILES[*_`\s]*:[*_\s]*(.*)$/i;

function cleanPath(raw: string): string {
  return raw
    .trim()
    .replace(/^(?:[-*+]\s+|\d+[.)]\s+)/, '')
    .replace(/^[`'"]+|[`'"]+$/g, '')
    .replace(/^\.\//, '')
    .trim();
}

export function parseCommitPlan(text: string): CommitPlan | undefined {
  const lines = text.split(/\r?\n/);
  let messageIndex = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (MESSAGE_LINE.test(lines[i]!)) {
      messageIndex = i;
      break;
    }
  }
  if (messageIndex < 0) return undefined;
  const message = MESSAGE_LINE.exec(lines[messageIndex]!)![1]!
    .replace(/^[`"']+|[`"']+$/g, '')
    .trim();
  const files: string[] = [];
  for (let i = messageIndex + 1; i < lines.length; i++) {
    const filesMatch = FILES_LINE.exec(lines[i]!);
    if (!filesMatch) continue;
    files.push(
      ...filesMatch[1]!
        .split(/[,\s]+/)
        .map(cleanPath)
        .filter(Boolean),
    );
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (!/^\s*(?:[-*+]|\d+[.)])\s+\S/.test(line)) {
        if (line.trim() === '') continue;
        break;
      }
      files.push(cleanPath(line));
    }
    break;
  }
  if (!message || files.length === 0) return undefined;
  return { message, files: [...new Set(files)] };
}
