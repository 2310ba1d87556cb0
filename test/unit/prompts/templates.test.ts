import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import {
  bundledTemplatePath,
  bundledTemplatesDir,
  loadInstructions,
  type InstructionConfig,
} from '../../../src/prompts/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function repoWith(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

const config = (repoRoot: string, fields: Partial<InstructionConfig> = {}): InstructionConfig => ({
  repoRoot,
  configFile: path.join(repoRoot, 'pi.config.json'),
  developerInstructionsFile: undefined,
  testerInstructionsFile: undefined,
  instructionsFile: undefined,
  ...fields,
});

describe('bundled templates', () => {
  it('sit in templates/ at the package root, which package.json publishes', async () => {
    const dir = bundledTemplatesDir();
    expect(path.basename(dir)).toBe('templates');
    const pkg = JSON.parse(await readFile(path.join(dir, '..', 'package.json'), 'utf8')) as {
      name: string;
      files: string[];
    };
    expect(pkg.name).toBe('pi-harness');
    expect(pkg.files).toContain('templates');
  });

  it('are generic and leave the tick to the harness', async () => {
    const developer = await readFile(bundledTemplatePath('developer'), 'utf8');
    const tester = await readFile(bundledTemplatePath('tester'), 'utf8');
    expect(developer).toMatch(/task/i);
    expect(developer).not.toMatch(/\btick (?:it|the task)\b/i);
    expect(tester).toMatch(/task/i);
    for (const text of [developer, tester]) expect(text).not.toMatch(/\b(react|godot|unity|game|vitest|jest)\b/i);
  });
});

describe('loadInstructions', () => {
  it('uses the bundled template per role when nothing is configured', async () => {
    const root = await repoWith({});
    const bundledDev = await readFile(bundledTemplatePath('developer'), 'utf8');
    const bundledTester = await readFile(bundledTemplatePath('tester'), 'utf8');
    for (const role of ['developer', 'developerRetry', 'developerFix'] as const) {
      expect(await loadInstructions(config(root), role)).toEqual({
        text: bundledDev,
        path: bundledTemplatePath('developer'),
        source: 'bundled',
      });
    }
    for (const role of ['tester', 'testerCommit'] as const) {
      expect((await loadInstructions(config(root), role)).text).toBe(bundledTester);
    }
  });

  it('prefers the role-specific file, then the legacy instructionsFile', async () => {
    const root = await repoWith({ 'DEV.md': 'dev rules', 'TEST.md': 'tester rules', 'ALL.md': 'shared rules' });
    const both = config(root, {
      developerInstructionsFile: 'DEV.md',
      testerInstructionsFile: 'TEST.md',
      instructionsFile: 'ALL.md',
    });
    expect(await loadInstructions(both, 'developer')).toMatchObject({
      text: 'dev rules',
      source: 'developerInstructionsFile',
    });
    expect(await loadInstructions(both, 'tester')).toMatchObject({
      text: 'tester rules',
      source: 'testerInstructionsFile',
    });

    const legacyOnly = config(root, {
      developerInstructionsFile: path.join(root, 'DEV.md'),
      instructionsFile: 'ALL.md',
    });
    expect(await loadInstructions(legacyOnly, 'developerFix')).toMatchObject({
      text: 'dev rules',
      path: path.join(root, 'DEV.md'),
    });
    expect(await loadInstructions(legacyOnly, 'tester')).toMatchObject({
      text: 'shared rules',
      path: path.join(root, 'ALL.md'),
      source: 'instructionsFile',
    });
  });

  it('strips a byte order mark', async () => {
    const root = await repoWith({ 'DEV.md': '\uFEFFrules ✓' });
    expect((await loadInstructions(config(root, { developerInstructionsFile: 'DEV.md' }), 'developer')).text).toBe(
      'rules ✓',
    );
  });

  it('a configured file that does not exist is a configuration error naming field and path', async () => {
    const root = await repoWith({ 'ALL.md': 'shared' });
    const missing = config(root, { testerInstructionsFile: 'docs/TESTER.md', instructionsFile: 'ALL.md' });
    const error = await loadInstructions(missing, 'tester').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('testerInstructionsFile');
    expect((error as Error).message).toContain(path.join(root, 'docs/TESTER.md'));
    expect((error as Error).message).toContain('not found');

    const legacyMissing = config(root, { instructionsFile: 'NOPE.md' });
    await expect(loadInstructions(legacyMissing, 'developer')).rejects.toThrow(/instructionsFile.*NOPE\.md/);
  });

  it('a configured directory is an error too', async () => {
    const root = await repoWith({ 'rules/x.md': 'x' });
    await expect(loadInstructions(config(root, { developerInstructionsFile: 'rules' }), 'developer')).rejects.toThrow(
      /developerInstructionsFile.*not a regular file/,
    );
  });

  it('names the environment variable when no config file is in use', async () => {
    const root = await repoWith({});
    const fromEnv = { ...config(root, { developerInstructionsFile: 'MISSING.md' }), configFile: null };
    await expect(loadInstructions(fromEnv, 'developer')).rejects.toThrow(/PI_DEVELOPER_INSTRUCTIONS_FILE/);
  });
});
