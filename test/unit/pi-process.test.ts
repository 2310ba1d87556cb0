/**
 * PiProcess requests against a stand-in for pi (a tiny Node script speaking the RPC framing), so
 * the request/answer plumbing is checked without a model.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PiProcess } from '../../src/agent/rpc/process.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Answers every command like pi 0.87.1 answers get_state, then waits for more. */
const ANSWERING_PI = `
let buffer = '';
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\\n')) !== -1) {
    const command = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    const data = { sessionId: 's-1', sessionFile: 42, model: { provider: 'p', id: 'm' }, messageCount: 0 };
    process.stdout.write(JSON.stringify({ id: command.id, type: 'response', command: command.type, success: true, data }) + '\\n');
  }
});
`;

async function standIn(source: string): Promise<PiProcess> {
  const dir = await tempDir();
  const script = path.join(dir, 'pi.mjs');
  await writeFile(script, source);
  return PiProcess.spawn({ piCli: script, args: [], cwd: dir, env: process.env });
}

describe('PiProcess.request', () => {
  it('returns the decoded answer: typed fields kept, a field of the wrong type left out', async () => {
    const proc = await standIn(ANSWERING_PI);
    try {
      const answer = await proc.request({ type: 'get_state' }, 10_000);
      expect(answer).toEqual({
        success: true,
        data: { sessionId: 's-1', model: { provider: 'p', id: 'm' }, messageCount: 0 },
      });
    } finally {
      await proc.kill();
    }
  });

  it('a request to a pi that has exited fails at once and leaves no unhandled rejection behind', async () => {
    const proc = await standIn('process.exit(0);');
    await proc.waitForExit();
    // An unhandled rejection would fail this test file in vitest.
    await expect(proc.request({ type: 'get_state' }, 60_000)).rejects.toThrow('pi is not running');
    await new Promise((resolve) => setImmediate(resolve));
  });
});
