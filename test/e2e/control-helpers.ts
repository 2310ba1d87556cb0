/** Driving a real run from outside, as an operator would: gates the scripted agent waits at, status, the journal. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { bash, type LoopRepo } from './loop-helpers.js';
import type { StatusDocument } from '../../src/report/status.js';

/** A file outside the repo the scripted agent's bash waits for: the test opens it when it is ready. */
export class Gate {
  readonly file: string;
  private constructor(file: string) {
    this.file = file;
  }

  static async make(name: string): Promise<Gate> {
    return new Gate(path.join(await tempDir('pi-harness-gate-'), name));
  }

  /** The tool call that holds the turn until the gate opens (at most 40 s). */
  wait() {
    return bash(`for i in $(seq 400); do [ -f '${this.file}' ] && break; sleep 0.1; done; echo gate open`);
  }

  open(): Promise<void> {
    return writeFile(this.file, 'open\n');
  }
}

export function runCommand(r: LoopRepo, ...argv: string[]): Promise<CliRun> {
  return cli(argv, { cwd: r.repo, env: { ...process.env, PI_CODING_AGENT_DIR: `${r.repo}/.no-user-pi` } });
}

export async function status(r: LoopRepo): Promise<StatusDocument> {
  const result = await runCommand(r, 'status', '--json');
  return JSON.parse(result.stdout) as StatusDocument;
}

/** Polls `status --json` until `ready` holds (at most `ms`). */
export async function waitForStatus(r: LoopRepo, ready: (doc: StatusDocument) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  let last: StatusDocument | undefined;
  while (Date.now() < deadline) {
    last = await status(r).catch(() => undefined);
    if (last && ready(last)) return last;
    await sleep(100);
  }
  throw new Error(`status never got there; last: ${JSON.stringify(last, null, 2)}`);
}

/** Every event of the run's journals (kept under the git directory), in order. */
export function journalEvents(repo: string): Record<string, unknown>[] {
  const runs = path.join(repo, '.git', 'pi-harness', 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .sort()
    .flatMap((runId) => {
      const file = path.join(runs, runId, 'journal.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    });
}

export function eventsOf(repo: string, type: string): Record<string, unknown>[] {
  return journalEvents(repo).filter((event) => event.type === type);
}
