/**
 * The run-wide watchdog: one tiny `sh` started with the first watched command (the test command,
 * the capture command) and kept for the life of the harness, instead of a Node guardian process
 * started beside every command. Every watched command carries its tag in PI_HARNESS_WATCH. The
 * watchdog blocks on a lifeline pipe at fd 3 whose other end only the harness holds; when the
 * harness is gone — however it died, SIGKILL included — the kernel closes that end, the read ends,
 * and the watchdog turns into the guardian's sweep (`guardian.js --sweep-watched <tag>`), which
 * TERMs, then KILLs, every process still carrying the tag and everything below them. While the
 * harness lives, it sweeps each command's own tag itself when the command ends (guarded-child.ts).
 *
 * The script is a fixed text; the paths and the tag reach it as arguments, never interpolated.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

/** Waits for EOF on fd 3 (the harness gone), then becomes the sweep. `read` is a shell builtin. */
const WATCH_SCRIPT = 'while read -r _ <&3; do :; done; exec "$1" "$2" --sweep-watched "$3"';

let running: { token: string; pid: number } | undefined;

/** The watchdog's tag, starting the watchdog the first time it is asked for. */
export function watchdogToken(guardianScript: string): string {
  if (running !== undefined && isAlive(running.pid)) return running.token;
  const token = randomUUID();
  const child = spawn('/bin/sh', ['-c', WATCH_SCRIPT, 'pi-harness-watchdog', process.execPath, guardianScript, token], {
    // Its own session: a signal to the harness's group (Ctrl-C) must leave it to sweep after.
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('pi-harness: cannot start the process watchdog');
  // Neither the watchdog nor its lifeline keeps the harness running.
  child.unref();
  (child.stdio[3] as Socket | null)?.unref();
  child.stdio[3]?.on('error', () => {});
  child.on('error', () => {});
  running = { token, pid: child.pid };
  return token;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
