/**
 * The honest check of the published shape: `npm pack`, install the tarball into an empty
 * project, and run the installed bin. Catches a wrong `bin`, missing `files`, a missing shebang
 * or a dependency left in devDependencies.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '../..');

describe('the packed package', () => {
  it('installs from its tarball and answers --help and --version', { timeout: 180_000 }, async () => {
    const work = await tempDir('pi-harness-pack-');
    const { stdout: packed } = await run('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: projectRoot,
      timeout: 60_000,
    });
    const tarball = path.join(work, packed.trim().split('\n').at(-1)!);
    const consumer = path.join(work, 'consumer');
    await run('mkdir', [consumer]);
    await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: consumer,
      timeout: 150_000,
    });
    const bin = path.join(consumer, 'node_modules', '.bin', 'pi-harness');
    const manifest = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };

    const version = await run(bin, ['--version'], { cwd: consumer });
    expect(version.stdout.trim()).toBe(manifest.version);
    const help = await run(bin, ['--help'], { cwd: consumer });
    expect(help.stdout).toContain('Usage: pi-harness');
    expect(help.stdout).toMatch(/^\s+once\b/m);

    // The JSON Schema ships with the package, for editors that follow "$schema".
    const schema = JSON.parse(
      await readFile(path.join(consumer, 'node_modules', 'pi-harness', 'schema', 'pi.config.schema.json'), 'utf8'),
    ) as { properties: Record<string, unknown> };
    expect(schema.properties).toHaveProperty('testCommand');
  });
});
