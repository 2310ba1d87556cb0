/**
 * What the hostile soak checks after every kill (once the next start has recovered) and at the end:
 * no user commit lost, no user file lost (tracked, and ignored within the protected limits), no
 * secret in any commit or rescue patch, no planted hook run, no push received, no orphan process.
 * Each finding is one violation line, counted by kind for the summary.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveProcessesMentioning } from '../process/proc-scan.js';
import { git, type HostileRepo } from './hostile-repo.js';

export type ViolationKind =
  | 'lost user commit'
  | 'lost user file'
  | 'lost user ref'
  | 'secret committed'
  | 'planted hook ran'
  | 'push received'
  | 'orphan process'
  | 'lost harness commit'
  | 'leftover lock'
  | 'run failed';

export interface Violation {
  kind: ViolationKind;
  at: string;
  detail: string;
}

export class Findings {
  readonly violations: Violation[] = [];

  add(kind: ViolationKind, at: string, detail: string): void {
    this.violations.push({ kind, at, detail });
  }

  count(kind: ViolationKind): number {
    return this.violations.filter((v) => v.kind === kind).length;
  }
}

/** No process of the killed run (pi, its tools, the test command and what they started) lives on. */
export async function checkOrphans(repo: HostileRepo, findings: Findings, at: string): Promise<void> {
  const deadline = Date.now() + 8000;
  let orphans = liveProcessesMentioning(repo.dir);
  while (orphans.length > 0 && Date.now() < deadline) {
    await sleep(100);
    orphans = liveProcessesMentioning(repo.dir);
  }
  if (orphans.length > 0) findings.add('orphan process', at, `alive 8s after the kill: ${orphans.join(', ')}`);
}

const isAncestor = (repo: HostileRepo, commit: string, of: string) => {
  try {
    git(repo.dir, ['merge-base', '--is-ancestor', commit, of]);
    return true;
  } catch {
    return false;
  }
};

function checkHistory(repo: HostileRepo, harnessCommits: ReadonlySet<string>, findings: Findings, at: string): void {
  for (const commit of repo.userCommits)
    if (!isAncestor(repo, commit, 'refs/heads/main')) findings.add('lost user commit', at, `${commit} left main`);
  for (const commit of harnessCommits)
    if (!isAncestor(repo, commit, 'refs/heads/main')) findings.add('lost harness commit', at, `${commit} left main`);
  for (const [ref, commit] of repo.userRefs) {
    const now = git(repo.dir, ['for-each-ref', '--format=%(objectname)', ref]).trim();
    if (now !== commit) findings.add('lost user ref', at, `${ref} is ${now || 'gone'}, was ${commit}`);
  }
  const stash = git(repo.dir, ['for-each-ref', '--format=%(objectname)', 'refs/stash']).trim();
  const entries = stash ? git(repo.dir, ['log', '-g', '--format=%H', 'refs/stash']).split('\n') : [];
  if (!entries.includes(repo.userStash)) findings.add('lost user ref', at, 'the user stash entry is gone');
  if (git(repo.remote, ['for-each-ref']).trim() !== '') findings.add('push received', at, 'the remote has refs');
}

function checkFiles(repo: HostileRepo, findings: Findings, at: string): void {
  for (const [file, content] of repo.files) {
    const absolute = path.join(repo.dir, file);
    const now = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
    if (now !== content) findings.add('lost user file', at, `${file} ${now === undefined ? 'is gone' : 'changed'}`);
  }
}

/** The secret in no commit any ref reaches (branches, tags, stash, rescue refs...) and in no rescue patch. */
function checkSecret(repo: HostileRepo, findings: Findings, at: string): void {
  const commits = git(repo.dir, ['log', '--all', '--format=%H', `-S${repo.secret}`]).trim();
  if (commits) findings.add('secret committed', at, `in ${commits.split('\n').join(', ')}`);
  const rescueDir = path.join(repo.dir, '.pi-harness', 'rescue');
  const patches = existsSync(rescueDir) ? readdirSync(rescueDir) : [];
  for (const patch of patches)
    if (readFileSync(path.join(rescueDir, patch), 'utf8').includes(repo.secret))
      findings.add('secret committed', at, `in the rescue patch ${patch}`);
}

export function checkRepository(
  repo: HostileRepo,
  harnessCommits: ReadonlySet<string>,
  findings: Findings,
  at: string,
): void {
  checkHistory(repo, harnessCommits, findings, at);
  checkFiles(repo, findings, at);
  checkSecret(repo, findings, at);
  if (existsSync(repo.hookMarker)) {
    findings.add('planted hook ran', at, readFileSync(repo.hookMarker, 'utf8').trim().split('\n').join(', '));
    rmSync(repo.hookMarker, { force: true }); // each run of one is reported once
  }
}
