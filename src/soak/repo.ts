/** The consuming repository the soak run works in: tasks, a user file, an ignored user file. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScriptedModelServer } from '../scripted-model/index.js';

export const USER_FILE = 'USER_NOTES.md';
export const IGNORED_USER_FILE = 'local.env';

export interface SoakRepo {
  dir: string;
  env: NodeJS.ProcessEnv;
  userContent: string;
  ignoredContent: string;
  remove(): void;
}

export function gitOut(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function createSoakRepo(server: ScriptedModelServer, taskCount: number, parallel = 1): Promise<SoakRepo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pi-harness-soak-'));
  const model = `scripted/${server.modelId}`;
  const tasks = Array.from({ length: taskCount }, (_, i) => `- [ ] Create file number ${i + 1}`).join('\n');
  const userContent = '# My notes\n\nThese must survive every crash. ✓\n';
  const ignoredContent = 'SECRET_SETTING=keep-me\n';
  writeFileSync(path.join(dir, 'TODOS.md'), `# Soak\n\n${tasks}\n`);
  writeFileSync(path.join(dir, USER_FILE), userContent);
  writeFileSync(path.join(dir, '.gitignore'), `${IGNORED_USER_FILE}\n`);
  writeFileSync(
    path.join(dir, 'pi.config.json'),
    JSON.stringify({
      piModel: model,
      models: { [model]: { baseUrl: server.baseUrl, apiKeyEnv: 'SOAK_MODEL_KEY' } },
      testCommand: 'ls file-*.txt >/dev/null 2>&1 || true',
      sleepBetweenSeconds: 0,
      noEventTimeoutSeconds: 20,
      maxConsecutiveFailures: 50,
      maxTaskAttempts: 50,
      parallel,
      piNoExtensions: true,
      piNoSkills: true,
      piNoPromptTemplates: true,
    }),
  );
  gitOut(dir, ['init', '-q', '-b', 'main']);
  gitOut(dir, ['config', 'user.name', 'Soak']);
  gitOut(dir, ['config', 'user.email', 'soak@example.test']);
  gitOut(dir, ['add', '-A']);
  gitOut(dir, ['commit', '-qm', 'initial']);
  writeFileSync(path.join(dir, IGNORED_USER_FILE), ignoredContent);
  return {
    dir,
    env: { ...process.env, SOAK_MODEL_KEY: 'soak', PI_CODING_AGENT_DIR: path.join(dir, '.pi-harness', 'no-user-pi') },
    userContent,
    ignoredContent,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      // A parallel run's worktrees sit beside the repository.
      rmSync(`${dir}.pi-worktrees`, { recursive: true, force: true });
    },
  };
}
