import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { guessTestCommand } from '../../src/init/detect-test-command.js';
import { addNpmScripts } from '../../src/init/package-scripts.js';
import { bundledTemplatePath } from '../../src/prompts/templates.js';
import { loadTaskFile } from '../../src/tasks/index.js';
import { VERSION } from '../../src/version.js';
import { cli } from '../helpers/cli.js';
import { makeRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const env = { PATH: process.env.PATH };
const init = (cwd: string, ...args: string[]) => cli(['init', ...args], { cwd, env });

/** Every file under `dir` (including .git/info/exclude, excluding the rest of .git) with its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full);
      if (relative === '.git') continue;
      if (entry.isDirectory()) await walk(full);
      else files[relative] = (await readFile(full)).toString('base64');
    }
  }
  await walk(dir);
  files['.git/info/exclude'] = (await readFile(path.join(dir, '.git/info/exclude'))).toString('base64');
  return files;
}

describe('pi-harness init', () => {
  it('scaffolds an empty repo with a config that loads, a task file, and copies of the role templates', async () => {
    const repo = await makeRepo();
    const result = await init(repo);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of ['pi.config.json', 'TODOS.md', 'pi/DEVELOPER.md', 'pi/TESTER.md']) {
      expect(result.stdout).toMatch(new RegExp(`created +${file.replace('.', '\\.')} `));
    }

    const { config, warnings } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
    expect(warnings).toEqual([]);
    expect(config.configFile).toBe(path.join(repo, 'pi.config.json'));
    expect(config.developerInstructionsFile).toBe(path.join(repo, 'pi/DEVELOPER.md'));
    expect(config.testerInstructionsFile).toBe(path.join(repo, 'pi/TESTER.md'));
    expect(config.testCommand).toBe('');
    const raw = JSON.parse(await readFile(path.join(repo, 'pi.config.json'), 'utf8')) as Record<string, unknown>;
    expect(raw.$schema).toBe(`https://unpkg.com/pi-harness@${VERSION}/schema/pi.config.schema.json`);

    const tasks = await loadTaskFile(path.join(repo, 'TODOS.md'));
    expect(tasks.file.tasks.filter((task) => !task.done)).toHaveLength(2);
    expect(tasks.file.warnings).toEqual([]);
    expect(await readFile(path.join(repo, 'pi/DEVELOPER.md'))).toEqual(
      await readFile(bundledTemplatePath('developer')),
    );
    expect(await readFile(path.join(repo, 'pi/TESTER.md'))).toEqual(await readFile(bundledTemplatePath('tester')));

    expect(result.stdout).toContain('testCommand left empty');
    expect(result.stdout).toMatch(/pi-harness doctor[\s\S]*pi-harness once/);
    expect(result.stdout).toContain('git add pi.config.json TODOS.md pi/DEVELOPER.md pi/TESTER.md && git commit');
  });

  it('keeps the runtime dir out of git through .git/info/exclude, never a .gitignore', async () => {
    const repo = await makeRepo();
    await init(repo);
    const exclude = await readFile(path.join(repo, '.git/info/exclude'), 'utf8');
    expect(exclude.split('\n')).toContain('/.pi-harness/');
    expect(existsSync(path.join(repo, '.gitignore'))).toBe(false);
  });

  it('changes nothing when run twice, and says each file was kept', async () => {
    const repo = await makeRepo({
      'package.json': '{\n  "name": "app",\n  "scripts": {\n    "test": "vitest run"\n  }\n}\n',
    });
    await init(repo);
    const before = await snapshot(repo);
    const again = await init(repo);
    expect(again.code).toBe(0);
    expect(await snapshot(repo)).toEqual(before);
    for (const file of ['pi.config.json', 'TODOS.md', 'pi/DEVELOPER.md', 'pi/TESTER.md']) {
      expect(again.stdout).toMatch(new RegExp(`exists, kept +${file.replace('.', '\\.')} `));
    }
    expect(again.stdout).toMatch(/exists, kept +package\.json +scripts pi:once, pi:run, pi:report already there/);
    expect(again.stdout).toMatch(/exists, kept +\.git\/info\/exclude +\/\.pi-harness\/ already excluded/);
    expect(again.stdout).not.toMatch(/created|updated|overwritten/);
  });

  it("--force overwrites the scaffolded files, but never the user's own package.json scripts", async () => {
    const repo = await makeRepo({ 'package.json': '{"scripts":{"pi:run":"my own runner"}}' });
    await init(repo);
    await writeFile(path.join(repo, 'TODOS.md'), '- [ ] my real task\n');
    const kept = await init(repo);
    expect(kept.stdout).toMatch(/exists, kept +TODOS\.md +\(--force overwrites it\)/);
    expect(await readFile(path.join(repo, 'TODOS.md'), 'utf8')).toBe('- [ ] my real task\n');

    const forced = await init(repo, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/overwritten +TODOS\.md/);
    expect(forced.stdout).toMatch(/exists, kept +pi\.config\.json +already identical/);
    expect(await readFile(path.join(repo, 'TODOS.md'), 'utf8')).toContain('## Getting started');
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['pi:run']).toBe('my own runner');
  });

  it('adds npm scripts to an existing package.json, keeping its other keys, order and indentation', async () => {
    const original =
      '{\n    "name": "app",\n    "private": true,\n    "scripts": {\n        "test": "vitest run",\n        "pi:run": "custom"\n    },\n    "dependencies": {\n        "left-pad": "^1.0.0"\n    }\n}\n';
    const repo = await makeRepo({ 'package.json': original });
    const result = await init(repo);
    expect(result.stdout).toMatch(/updated +package\.json +added scripts pi:once, pi:report \(kept your pi:run\)/);
    const text = await readFile(path.join(repo, 'package.json'), 'utf8');
    expect(text).toBe(
      '{\n    "name": "app",\n    "private": true,\n    "scripts": {\n        "test": "vitest run",\n        "pi:run": "custom",\n' +
        '        "pi:once": "pi-harness once",\n        "pi:report": "pi-harness report"\n    },\n    "dependencies": {\n        "left-pad": "^1.0.0"\n    }\n}\n',
    );
    const config = JSON.parse(await readFile(path.join(repo, 'pi.config.json'), 'utf8')) as { testCommand: string };
    expect(config.testCommand).toBe('npm test');
    expect(result.stdout).toContain('testCommand "npm test" (package.json has a test script)');
  });

  it('writes the guessed test command for each ecosystem into the config', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'go.mod': 'module example.com/x\n' }, 'go test ./...'],
      [{ 'Cargo.toml': '[package]\nname = "x"\n' }, 'cargo test'],
      [{ 'pyproject.toml': '[tool.pytest.ini_options]\naddopts = "-q"\n' }, 'pytest -q'],
      [{ Makefile: 'build:\n\tcc x.c\n\ntest: build\n\t./run-tests\n' }, 'make test'],
    ];
    for (const [files, expected] of cases) {
      const repo = await makeRepo(files);
      await init(repo);
      const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
      expect(config.testCommand, expected).toBe(expected);
    }
  });

  it('uses the $schema of a local install when there is one', async () => {
    const repo = await makeRepo();
    await writeFiles(repo, { 'node_modules/pi-harness/schema/pi.config.schema.json': '{}' });
    await init(repo);
    const raw = JSON.parse(await readFile(path.join(repo, 'pi.config.json'), 'utf8')) as Record<string, unknown>;
    expect(raw.$schema).toBe('./node_modules/pi-harness/schema/pi.config.schema.json');
  });

  it('follows a config the user kept: its task file and instruction files are the ones scaffolded', async () => {
    const repo = await makeRepo({
      'pi.config.json': JSON.stringify({ taskFile: 'docs/tasks.md', testerInstructionsFile: 'agents/review.md' }),
    });
    const result = await init(repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/exists, kept +pi\.config\.json/);
    expect(existsSync(path.join(repo, 'docs/tasks.md'))).toBe(true);
    expect(existsSync(path.join(repo, 'agents/review.md'))).toBe(true);
    expect(existsSync(path.join(repo, 'TODOS.md'))).toBe(false);
    expect(existsSync(path.join(repo, 'pi'))).toBe(false); // developer instructions stay the bundled template
  });

  it('refuses outside a git repository (exit 2) and writes nothing', async () => {
    const dir = await tempDir();
    const result = await init(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not inside a git repository');
    expect(result.stderr).toContain('git init');
    expect(await readdir(dir)).toEqual([]);
  });

  it('--json describes every step', async () => {
    const repo = await makeRepo();
    const result = await init(repo, '--json');
    const document = JSON.parse(result.stdout) as {
      steps: { path: string; action: string }[];
      uncommitted: string[];
      nextSteps: string[];
    };
    expect(document.steps.map((step) => `${step.action} ${step.path}`)).toEqual([
      'created pi.config.json',
      'created TODOS.md',
      'created pi/DEVELOPER.md',
      'created pi/TESTER.md',
      'updated .git/info/exclude',
    ]);
    expect(document.uncommitted).toEqual(['pi.config.json', 'TODOS.md', 'pi/DEVELOPER.md', 'pi/TESTER.md']);
    expect(document.nextSteps.at(-1)).toContain('pi-harness once');
  });
});

describe('guessTestCommand', () => {
  async function guess(files: Record<string, string>): Promise<string> {
    const dir = await tempDir();
    await writeFiles(dir, files);
    return (await guessTestCommand(dir)).command;
  }

  it('recognises each ecosystem, in order of precedence', async () => {
    expect(await guess({ 'package.json': '{"scripts":{"test":"jest"}}' })).toBe('npm test');
    expect(await guess({ 'package.json': '{"scripts":{"test":"jest"}}', 'pnpm-lock.yaml': '' })).toBe('pnpm test');
    expect(await guess({ 'package.json': '{"scripts":{"test":"jest"}}', 'yarn.lock': '' })).toBe('yarn test');
    expect(await guess({ 'package.json': '{"scripts":{"test":"jest"}}', 'go.mod': '' })).toBe('npm test');
    expect(await guess({ Makefile: 'test:\n\tgo test ./...\n', 'go.mod': '' })).toBe('make test');
    expect(await guess({ 'pytest.ini': '[pytest]\n' })).toBe('pytest -q');
    expect(await guess({ 'setup.cfg': '[tool:pytest]\ntestpaths = tests\n' })).toBe('pytest -q');
    expect(await guess({ 'Cargo.toml': '' })).toBe('cargo test');
    expect(await guess({ 'go.mod': '' })).toBe('go test ./...');
  });

  it('does not guess what would fail or is not there', async () => {
    expect(await guess({})).toBe('');
    // npm init's placeholder always exits 1: verification would fail every iteration.
    expect(
      await guess({ 'package.json': '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' }),
    ).toBe('');
    expect(await guess({ 'package.json': '{"scripts":{"build":"tsc"}}' })).toBe('');
    expect(await guess({ Makefile: 'build:\n\tcc x.c\ntest_data := x\n' })).toBe('');
    expect(await guess({ 'pyproject.toml': '[project]\nname = "x"\n' })).toBe('');
  });
});

describe('addNpmScripts', () => {
  it('keeps tabs, CRLF line ends, a BOM and a missing final newline', () => {
    const text = '\uFEFF{\r\n\t"name": "x"\r\n}';
    const update = addNpmScripts(text, { 'pi:once': 'pi-harness once' });
    expect(update).toMatchObject({ kind: 'updated', added: ['pi:once'] });
    expect(update.kind === 'updated' && update.text).toBe(
      '\uFEFF{\r\n\t"name": "x",\r\n\t"scripts": {\r\n\t\t"pi:once": "pi-harness once"\r\n\t}\r\n}',
    );
  });

  it('skips a package.json it cannot read as an object', () => {
    expect(addNpmScripts('{ nope')).toMatchObject({ kind: 'skipped' });
    expect(addNpmScripts('[]')).toMatchObject({ kind: 'skipped' });
    expect(addNpmScripts('{"scripts": "x"}')).toMatchObject({ kind: 'skipped' });
  });
});

describe('templates users copy', () => {
  const templates = path.resolve(import.meta.dirname, '../../templates');

  it('pi.config.example.json validates against the schema, with no unknown keys', async () => {
    const repo = await tempDir();
    const example = path.join(templates, 'pi.config.example.json');
    const { config, warnings } = await loadConfig({ repoRoot: repo, cwd: repo, configFile: example, env: {} });
    expect(warnings).toEqual([]);
    expect(Object.keys(config.models).length).toBeGreaterThan(0);
    const schema = JSON.parse(await readFile(path.resolve(templates, '../schema/pi.config.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const raw = JSON.parse(await readFile(example, 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(raw)) expect(schema.properties, key).toHaveProperty([key]);
  });

  it('gitignore-fragment ignores the default runtime dir', async () => {
    const fragment = await readFile(path.join(templates, 'gitignore-fragment'), 'utf8');
    expect(fragment.split('\n')).toContain('/.pi-harness/');
  });
});
