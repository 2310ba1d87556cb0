/** What the guardrail loop tests share: a hostile step or two, and reading what the run reported. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScriptStep } from '../../src/scripted-model/index.js';
import { cli } from '../helpers/cli.js';
import { gitSync } from '../helpers/git-repo.js';
import { bash } from './loop-helpers.js';

/**
 * A command the tool-call layer cannot read: a Node program that runs `shell` itself. Only the
 * snapshot around the iteration (or git's own refusals) can stop what it does.
 */
export function nodeRuns(shell: string): ScriptStep {
  const js = `require('child_process').execSync(${JSON.stringify(shell)}, { stdio: 'inherit' })`;
  return bash(`node -e '${js.replace(/'/g, `'\\''`)}'`);
}

/** A Node program that writes `content` to `file` (mode 0755), out of the tool-call layer's sight. */
export function nodeWrites(file: string, content: string): ScriptStep {
  const js = `require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(content)}, { mode: 0o755 })`;
  return bash(`node -e '${js.replace(/'/g, `'\\''`)}'`);
}

export interface GuardrailFigures {
  blocked: number;
  warned: number;
  restored: number;
  reported: number;
  byRule: Record<string, number>;
  changes: string[];
}

export interface ReportedIteration {
  status: string;
  reason: string | null;
  commit: { sha: string; files: string[] } | null;
  rescue: { ref: string } | null;
  notes: string[];
  guardrails: GuardrailFigures;
}

/** `pi-harness report --json` in the repository: every view reads the same journal. */
export async function reportOf(repo: string): Promise<{
  iterations: ReportedIteration[];
  runs: { guardrails: GuardrailFigures }[];
  totals: { guardrails: GuardrailFigures };
}> {
  const result = await cli(['report', '--json'], { cwd: repo, env: process.env });
  if (result.code !== 0) throw new Error(`report failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Every blob path of every commit reachable from any ref (reflogs left out). */
export function pathsInAnyCommit(repo: string): Set<string> {
  const commits = gitSync(repo, 'rev-list', '--all').split('\n').filter(Boolean);
  const paths = new Set<string>();
  for (const commit of commits)
    for (const file of gitSync(repo, 'ls-tree', '-r', '--name-only', commit).split('\n')) if (file) paths.add(file);
  return paths;
}

export function readIf(repo: string, file: string): string | undefined {
  const absolute = path.join(repo, file);
  return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
}
