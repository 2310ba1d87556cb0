/**
 * `commitMode: "plan"`: the tester prints the commit it wants and the harness makes it.
 *
 *   COMMIT_MESSAGE: Add the parser for CRLF task files
 *   COMMIT_FILES:
 *   - src/tasks/parse.ts
 *   - test/tasks.test.ts
 *
 * Files may also follow on the COMMIT_FILES line, comma- or space-separated. The last plan in the
 * message counts, as with verdicts.
 */

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
