/**
 * Output text as a test runner's reader wants it: colours removed, and each line as it finally
 * appeared on a terminal (a carriage return rewrites the line it is on, as progress bars do).
 */
import { stripVTControlCharacters } from 'node:util';

export function outputLines(output: string): string[] {
  return output.split('\n').map((raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lastReturn = line.lastIndexOf('\r');
    return stripVTControlCharacters(lastReturn === -1 ? line : line.slice(lastReturn + 1));
  });
}

/** Reads "3 passed", "1 failed" … items into a map from word to number; undefined if an item is not of that form. */
export function countItems(items: readonly string[]): Map<string, number> | undefined {
  const counts = new Map<string, number>();
  for (const item of items) {
    const match = /^(\d+) ([a-z]+)$/.exec(item.trim());
    if (match === null) return undefined;
    const word = match[2]!;
    counts.set(word, (counts.get(word) ?? 0) + Number(match[1]));
  }
  return counts;
}
