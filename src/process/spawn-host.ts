/**
 * Short commands (git) run by a small helper process instead of by the harness itself.
 *
 * On Linux, Node starts every child with fork(): the parent's page tables are copied on its main
 * thread, so a spawn costs in proportion to the parent's memory. Measured on the 2-core container
 * (Node 24, `git --version` in a loop): from a 54 MiB process 4.6 ms per call, from a 153 MiB one
 * 19 ms, of which 9 ms of the parent's CPU. Through a ~50 MiB helper the same calls take 5-7 ms and
 * cost the parent 0.5 ms each. A parallel run's harness spawns hundreds of git calls for its
 * workers on one main thread, so there the helper pays; a one-task run keeps spawning directly (the
 * helper's own ~13 MiB would outweigh what it saves).
 *
 * The helper is started on first use after `useSpawnHost(true)`. It dies with the harness: when
 * the IPC channel closes it takes no more commands and exits once those it runs have ended, each
 * within its time limit, as orphaned commands of a killed harness did (spawn-host-main.ts). Should
 * it die first, the calls it held fail like a failed spawn and the next call starts it again, at
 * most a few times; after that, and whenever it is off, commands are spawned directly.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ShortCommand {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxBuffer: number;
  /** Text fed on stdin. */
  input?: string;
}

export interface CommandFailure {
  /** The exit code, or the spawn error's code (`ENOENT`), or null when killed. */
  code: number | string | null;
  signal: string | null;
  message: string;
}

export interface CommandOutcome {
  stdout: string;
  stderr: string;
  failure?: CommandFailure;
}

interface Answer extends CommandOutcome {
  id: number;
}

/**
 * Small on purpose: a small heap, and no compiler (the helper only starts processes). The
 * TypeScript source run in tests needs WebAssembly to strip its types, which `--jitless` turns off.
 */
function helperFlags(script: string): string[] {
  const heap = ['--max-semi-space-size=1', '--max-old-space-size=64'];
  return script.endsWith('.ts') ? heap : ['--jitless', ...heap];
}
/** A helper started this often in one run (each start after the first: one died) is given up on. */
const MAX_STARTS = 3;
/** How long past a command's own time limit the helper may take to answer before it counts as hung. */
const ANSWER_GRACE_MS = 10_000;

/** dist/process/spawn-host-main.js when built; the .ts source (run by Node's type stripping) in tests. */
export function spawnHostPath(): string {
  for (const name of ['./spawn-host-main.js', './spawn-host-main.ts']) {
    const candidate = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('pi-harness: spawn-host-main script not found next to spawn-host.js');
}

interface Pending {
  resolve: (outcome: CommandOutcome) => void;
  timer: NodeJS.Timeout;
}

class SpawnHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopping = false;
  alive = true;

  constructor() {
    const script = spawnHostPath();
    this.child = fork(script, [], {
      execArgv: helperFlags(script),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    this.child.on('message', (message) => this.settle(message as Answer));
    this.child.on('error', () => this.end('the spawn helper failed'));
    this.child.on('exit', (code, signal) => this.end(`the spawn helper exited (${signal ?? `code ${code}`})`));
    this.idle();
  }

  run(command: ShortCommand): Promise<CommandOutcome> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // A helper that does not answer is of no more use: it goes, and what it held fails.
        this.child.kill('SIGKILL');
        this.end('the spawn helper did not answer in time');
      }, command.timeoutMs + ANSWER_GRACE_MS);
      this.pending.set(id, { resolve, timer });
      this.child.ref();
      (this.child.channel as { ref?: () => void } | null | undefined)?.ref?.();
      const { file, args, cwd, env, timeoutMs, maxBuffer, input } = command;
      const request = { id, file, args, cwd, env, timeoutMs, maxBuffer, ...(input !== undefined ? { input } : {}) };
      try {
        this.child.send(request, (error) => {
          if (error) this.end(`the spawn helper could not be reached (${error.message})`);
        });
      } catch (error) {
        this.end(`the spawn helper could not be reached (${(error as Error).message})`);
      }
    });
  }

  private settle(answer: Answer): void {
    const waiting = this.pending.get(answer.id);
    if (!waiting) return;
    this.pending.delete(answer.id);
    clearTimeout(waiting.timer);
    waiting.resolve({
      stdout: answer.stdout,
      stderr: answer.stderr,
      ...(answer.failure ? { failure: answer.failure } : {}),
    });
    if (this.pending.size > 0) return;
    this.idle();
    if (this.stopping) this.stop();
  }

  /** Nothing waiting: the helper does not keep the harness alive. */
  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | null | undefined)?.unref?.();
  }

  private end(why: string): void {
    this.alive = false;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.resolve({ stdout: '', stderr: '', failure: { code: null, signal: null, message: why } });
    }
  }

  /** Closes the channel (the helper then exits) once the calls it holds are answered. */
  stop(): void {
    this.stopping = true;
    if (this.pending.size === 0 && this.child.connected) this.child.disconnect();
  }
}

let enabled = false;
let host: SpawnHost | undefined;
let starts = 0;

/** Turns the helper on (a parallel run) or off; off stops a running one once its calls are answered. */
export function useSpawnHost(on: boolean): void {
  enabled = on;
  starts = 0;
  if (!on && host) {
    host.stop();
    host = undefined;
  }
}

function liveHost(): SpawnHost | undefined {
  if (!enabled) return undefined;
  if (host?.alive) return host;
  if (starts >= MAX_STARTS) return undefined;
  starts++;
  try {
    host = new SpawnHost();
  } catch {
    host = undefined;
  }
  return host;
}

function runDirectly(command: ShortCommand): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = execFile(
      command.file,
      [...command.args],
      {
        cwd: command.cwd,
        env: command.env,
        timeout: command.timeoutMs,
        maxBuffer: command.maxBuffer,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : null;
        resolve({ stdout, stderr, failure: { code, signal: error.signal ?? null, message: error.message } });
      },
    );
    if (command.input !== undefined) child.stdin?.end(command.input);
  });
}

/** Runs a short command through the helper when it is on and alive, else directly. Never rejects. */
export function runShortCommand(command: ShortCommand): Promise<CommandOutcome> {
  const helper = liveHost();
  return helper ? helper.run(command) : runDirectly(command);
}
