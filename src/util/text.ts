/** The last `count` lines of a command's output, its trailing blank lines left out. */
export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
