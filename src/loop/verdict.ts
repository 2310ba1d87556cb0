/**
 * The tester's verdict, parsed once from its final message. The last verdict line counts (a
 * tester may quote an earlier verdict before changing its mind); markdown decoration around it is
 * tolerated; a line offering choices ("VERDICT: PASS | FAIL") is the instruction being echoed,
 * not a verdict. No verdict is UNKNOWN, which is never a pass.
 */

export type Verdict = 'PASS' | 'FAIL' | 'BLOCKED' | 'UNKNOWN';

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

function verdictOfLine(line: string): Exclude<Verdict, 'UNKNOWN'> | undefined {
  const match = VERDICT_LINE.exec(plainLine(line));
  if (!match) return undefined;
  const rest = match[2]!.trim();
  // "PASS | FAIL | BLOCKED", "PASS or FAIL", "PASS/FAIL": an echo of the instruction.
  if (/^(?:[|/,]|or\b)\s*(?:PASS|FAIL|BLOCKED)\b/i.test(rest)) return undefined;
  if (/^[|/]/.test(rest)) return undefined;
  return match[1]!.toUpperCase() as Exclude<Verdict, 'UNKNOWN'>;
}

export function parseVerdict(finalText: string): Verdict {
  const lines = finalText.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const verdict = verdictOfLine(lines[i]!);
    if (verdict) return verdict;
  }
  return 'UNKNOWN';
}

/** The tester's findings: its final message without the verdict line(s), trimmed. */
export function testerFindings(finalText: string): string {
  return finalText
    .split(/\r?\n/)
    .filter((line) => verdictOfLine(line) === undefined)
    .join('\n')
    .trim();
}
