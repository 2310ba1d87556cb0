/** Where a test repo's harness keeps its lock, state and journals, through the harness's own accessor. */
import { loadConfig } from '../../src/config/load.js';
import { harnessHome, listRunJournals, type HarnessHome } from '../../src/runtime/harness-home.js';

export async function homeOf(repo: string, env: NodeJS.ProcessEnv = {}): Promise<HarnessHome> {
  const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env });
  return harnessHome(config);
}

/** The repo's run journals, oldest first. */
export async function journalsOf(repo: string): Promise<string[]> {
  return listRunJournals(await homeOf(repo))
    .reverse()
    .map((run) => run.journal);
}
