import { describe, expect, it } from 'vitest';
import { OneAtATime } from '../../src/util/one-at-a-time.js';

describe('OneAtATime', () => {
  it('runs work in the order asked, never two at once, and a failure stops nothing after it', async () => {
    const turns = new OneAtATime();
    const log: string[] = [];
    let running = 0;
    const work = (name: string, fail = false) =>
      turns.run(async () => {
        running += 1;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([work('a'), work('b', true), work('c')]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(results[1]!.status).toBe('rejected');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    // idle() waits for what was asked last, and does not reject when that failed.
    const lastFails = expect(work('d', true)).rejects.toThrow('d');
    await turns.idle();
    expect(log.at(-1)).toBe('end d');
    await lastFails;
  });
});
