/**
 * The spawn helper's own program (spawn-host.ts starts it): it runs the short commands the harness
 * sends over the IPC channel and answers with their output. It imports nothing of the harness, so
 * it stays small (a small process forks fast) and runs from its TypeScript source in tests.
 *
 * When the harness goes — an orderly exit or a SIGKILL — the channel closes: the helper takes no
 * more commands, lets those still running end (each within its own time limit, as a command the
 * harness had spawned itself would: a git command killed halfway can leave a worktree half made or
 * a lock file behind) and exits with the last of them.
 */
import { execFile, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  maxBuffer: number;
  input?: string;
}

const running = new Set<ChildProcess>();

function answer(id: number, error: (Error & { code?: unknown; signal?: unknown }) | null, out: string, err: string) {
  if (!process.connected) return;
  const failure = error
    ? {
        code: typeof error.code === 'number' || typeof error.code === 'string' ? error.code : null,
        signal: typeof error.signal === 'string' ? error.signal : null,
        message: error.message,
      }
    : undefined;
  process.send?.({ id, stdout: out, stderr: err, ...(failure ? { failure } : {}) });
}

function run(request: Request): void {
  const options = {
    cwd: request.cwd,
    env: request.env,
    timeout: request.timeoutMs,
    maxBuffer: request.maxBuffer,
    encoding: 'utf8' as const,
  };
  let child: ChildProcess;
  try {
    child = execFile(request.file, request.args, options, (error, stdout, stderr) => {
      running.delete(child);
      answer(request.id, error, stdout, stderr);
      if (!process.connected && running.size === 0) process.exit(0);
    });
  } catch (error) {
    // A synchronous refusal (an argument Node rejects): answered like a failed start.
    answer(request.id, error as Error, '', '');
    return;
  }
  running.add(child);
  // A command that exits without reading its input closes the pipe: that is its answer, not ours.
  child.stdin?.on('error', () => undefined);
  if (request.input !== undefined) child.stdin?.end(request.input);
  else child.stdin?.end();
}

process.on('message', (message) => run(message as Request));
process.on('disconnect', () => {
  if (running.size === 0) process.exit(0);
});
