/**
 * The built CLI loads its program as one bundled module (scripts/build-program.mjs), not the ~280
 * modules it is made of, and the bundled code still finds what it looks for beside its own module
 * in dist/: the prompt templates, pi's package and the pi extensions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const BUILT_CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');
const DIST = path.resolve(import.meta.dirname, '../../dist');

/** Preloaded into the CLI: records every module URL it loads, at exit. */
const RECORDER = `
const { registerHooks } = require('node:module');
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_TO, JSON.stringify(urls)));
`;

/** The module URLs the built CLI loads for `args` (its own and Node's), recorded by RECORDER. */
async function loadedBy(args: string[], cwd: string): Promise<{ urls: string[]; stdout: string }> {
  const tools = await tempDir();
  writeFileSync(path.join(tools, 'recorder.cjs'), RECORDER);
  const record = path.join(tools, 'record.json');
  const result = spawnSync(process.execPath, ['--require', path.join(tools, 'recorder.cjs'), BUILT_CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RECORD_TO: record },
    timeout: 30_000,
  });
  return { urls: JSON.parse(readFileSync(record, 'utf8')) as string[], stdout: result.stdout };
}

async function repoWithTasks(): Promise<string> {
  const repo = await tempDir();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'TODOS.md'), '# Tasks\n\n- [ ] First task\n');
  git('add', '-A');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'initial');
  return repo;
}

describe('the bundled program', () => {
  it('is what the CLI loads, and finds the files beside its modules', { timeout: 60_000 }, async () => {
    const result = await loadedBy(['doctor'], await repoWithTasks());
    const ours = result.urls
      .filter((url) => url.startsWith(`file://${DIST}/`))
      .map((url) => url.slice(`file://${DIST}/`.length));
    expect(ours).toContain('cli/program.bundle.js');
    // The entry, the modules it loads before the program, and the bundle: not the program's modules.
    const entry = ['cli/main.js', 'cli/io.js', 'cli/quick-status.js', 'cli/tuned-start.js'];
    expect(ours.filter((file) => !entry.includes(file))).toEqual(['util/small-heap.js', 'cli/program.bundle.js']);
    // Each of these is found relative to the module that looks for it.
    expect(result.stdout).toMatch(/✓ developer instructions\s+bundled template/);
    expect(result.stdout).toMatch(/✓ tester instructions\s+bundled template/);
    expect(result.stdout).toMatch(/✓ pi CLI\s+pi \d+\.\d+\.\d+/);
  });

  it('leaves node:http unloaded until a server starts (it brings fetch with it)', { timeout: 60_000 }, async () => {
    const { urls } = await loadedBy(['--help'], await tempDir());
    expect(urls).toContain('node:child_process');
    expect(urls).not.toContain('node:http');
  });
});
