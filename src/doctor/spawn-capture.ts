/**
 * Runs a short-lived command (an argument array, never a shell string) with a time limit and
 * captures its output. Never throws: a command that cannot start or does not finish is a finding.
 */
import { execFile } from 'node:child_process';

export interface Captured {
  /** Exit code, or null when the command did not start, was killed or timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why it could not start (e.g. `ENOENT`, `EACCES`), when it could not. */
  startError?: string;
}

export function spawnCapture(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Captured> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        // A hung probe is killed outright: nothing of value is lost by not letting it clean up.
        killSignal: 'SIGKILL',
        maxBuffer: 8 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (typeof failure.code === 'string') {
          return resolve({ code: null, stdout, stderr, timedOut: false, startError: failure.code });
        }
        const timedOut = failure.killed === true && failure.signal === 'SIGKILL';
        resolve({ code: typeof failure.code === 'number' ? failure.code : null, stdout, stderr, timedOut });
      },
    );
  });
}

/**
 * The most telling line of a command's error output, for a one-line detail: the first line that
 * names an error (Node prints the stack and its own version after it), else the last line.
 */
export function errorLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const line = lines.find((candidate) => /^(\w*Error\b|error:|fatal:)/i.test(candidate)) ?? lines.at(-1) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
