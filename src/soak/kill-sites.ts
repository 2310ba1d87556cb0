/**
 * Where each kill of the soak landed, read from the killed run's journal: how many iterations were
 * in flight (begun, not ended) and whether a merge was under way (an iteration ended passing and
 * the merge queue had not yet journaled its merge). A parallel soak proves little unless many kills
 * land with several iterations in flight and during merges; this says how many did.
 */
import { readJournalFile } from '../journal/read.js';
import { listRunJournals, type HarnessHome } from '../runtime/harness-home.js';

export interface KillSite {
  /** No journal yet, or no iteration begun: the kill landed during start-up or recovery. */
  beforeIterations: boolean;
  inFlight: number;
  /** Passing iterations whose merge had not been journaled yet (queued or running). */
  mergesPending: number;
}

/** The run ids whose journals exist now: the next run's journal is the one not among them. */
export function knownRuns(home: HarnessHome): Set<string> {
  return new Set(listRunJournals(home).map((run) => run.runId));
}

export function killSite(home: HarnessHome, before: ReadonlySet<string>): KillSite {
  const run = listRunJournals(home).find((candidate) => !before.has(candidate.runId));
  const begun = new Set<number>();
  const ended = new Set<number>();
  const passed = new Set<number>();
  const merged = new Set<number>();
  for (const event of run ? readJournalFile(run.journal).events : []) {
    if (!('iteration' in event) || event.iteration === undefined) continue;
    if (event.type === 'iteration_start') begun.add(event.iteration);
    if (event.type === 'iteration_end') {
      ended.add(event.iteration);
      if (event.status === 'succeeded') passed.add(event.iteration);
    }
    if (event.type === 'merge') merged.add(event.iteration);
  }
  return {
    beforeIterations: begun.size === 0,
    inFlight: [...begun].filter((iteration) => !ended.has(iteration)).length,
    mergesPending: [...passed].filter((iteration) => !merged.has(iteration)).length,
  };
}

export function describeSite(site: KillSite): string {
  if (site.beforeIterations) return 'before any iteration began';
  const merging = site.mergesPending > 0 ? `, ${site.mergesPending} merge(s) pending` : '';
  return `${site.inFlight} iteration(s) in flight${merging}`;
}

/** The tally the summary prints. */
export function tallySites(sites: readonly KillSite[]): string {
  const count = (test: (site: KillSite) => boolean) => sites.filter(test).length;
  return (
    `kills landed: ${count((site) => site.inFlight >= 2)} with ≥2 iterations in flight, ` +
    `${count((site) => site.mergesPending > 0)} during a merge, ` +
    `${count((site) => site.beforeIterations)} before any iteration began`
  );
}
