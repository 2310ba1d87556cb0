import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { VERSION } from '../../src/version.js';

const SPEC_COMMANDS = [
  'once',
  'run',
  'report',
  'clear-history',
  'visual-once',
  'visual-review-worker',
  'init',
  'doctor',
  'demo',
  'visualize',
];

describe('the CLI frame', () => {
  it('prints help with every command and the exit codes when given no command (exit 0)', async () => {
    const result = await cli([], { cwd: await tempDir() });
    expect(result.code).toBe(0);
    for (const command of SPEC_COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} .*\\S`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0');
    expect(result.stdout).toContain('130 stopped by a signal');
  });

  it('--help exits 0 and --version prints the package version', async () => {
    const cwd = await tempDir();
    expect((await cli(['--help'], { cwd })).code).toBe(0);
    const version = await cli(['--version'], { cwd });
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    const cwd = await tempDir();
    const unknown = await cli(['frobnicate'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect((await cli(['config', '--nope'], { cwd })).code).toBe(2);
  });

  it('every listed command is built: visualize with a bad port is a usage error naming it', async () => {
    const cwd = await tempDir();
    const result = await cli(['visualize', '--port', '70000'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port expects a port number from 0 to 65535 (got "70000")');
    expect(result.stderr).not.toContain('not built yet');
  });

  it('a configuration error exits 2 naming file and field, and writes nothing', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'pi.config.json'), JSON.stringify({ commitMode: 'yolo' }));
    const result = await cli(['config'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(path.join(cwd, 'pi.config.json'));
    expect(result.stderr).toMatch(/commitMode: .*"agent"\|"plan"/);
  });

  it('--config selects the file and warnings go to stderr', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'other.json'), JSON.stringify({ maxIterations: 4, colour: 'blue' }));
    const result = await cli(['--config', 'other.json', 'config', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ maxIterations: 4, configFile: path.join(cwd, 'other.json') });
    expect(result.stderr).toContain('unknown key "colour"');
  });

  it('config output never shows a literal API key', async () => {
    const cwd = await tempDir();
    await writeFile(
      path.join(cwd, 'pi.config.json'),
      JSON.stringify({ models: { 'x/y': { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-very-secret' } } }),
    );
    for (const argv of [['config'], ['config', '--json']]) {
      const result = await cli(argv, { cwd });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('sk-very-secret');
      expect(result.stdout).toContain('<redacted>');
    }
  });
});
