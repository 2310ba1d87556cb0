import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { cli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git-repo.js';

describe('the visual commands without a model', () => {
  it('visual-once without a capture command is a usage error that says what to set', async () => {
    const repo = await makeRepo();
    const result = await cli(['visual-once'], { cwd: repo, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('visualCaptureCommand is not set');
  });

  it('visual-review-worker rejects a request that is not JSON or not a request (exit 2)', async () => {
    const repo = await makeRepo();
    for (const [stdin, expected] of [
      ['not json', 'the request on stdin is not JSON'],
      ['{"images": [{"path": "a.png", "data": "AAAA"}]}', 'each image needs exactly one of "path" or "data"'],
      [
        '{"images": [{"path": "a.png"}], "model": "no-slash"}',
        'model: expected a model name of the form "provider/id"',
      ],
    ] as const) {
      let stderr = '';
      const code = await runCli(['visual-review-worker'], {
        cwd: repo,
        env: {},
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        stdin: async () => stdin,
      });
      expect(code, stdin).toBe(2);
      expect(stderr).toContain(expected);
    }
  });

  it('visual-review-worker answers BLOCKED (exit 1) for a model declared without vision, before any pi starts', async () => {
    const repo = await makeRepo();
    let stdout = '';
    const env = { PI_VISUAL_REVIEW_MODEL: 'local/text-only' };
    const request = JSON.stringify({
      images: [
        { data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC' },
      ],
    });
    await writeFile(
      `${repo}/pi.config.json`,
      JSON.stringify({ models: { 'local/text-only': { baseUrl: 'http://127.0.0.1:9/v1' } } }),
    );
    const code = await runCli(['visual-review-worker'], {
      cwd: repo,
      env,
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      stdin: async () => request,
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      verdict: 'BLOCKED',
      fromModel: false,
      error: expect.stringContaining('local/text-only is not declared vision-capable'),
    });
  });
});
