import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/util/bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });

  it('loads a missing value once and does not remember a failure', async () => {
    const cache = new BoundedCache<string, string>(4);
    let loads = 0;
    const load = async () => {
      loads++;
      return 'value';
    };
    expect(await cache.getOrLoad('k', load)).toBe('value');
    expect(await cache.getOrLoad('k', load)).toBe('value');
    expect(loads).toBe(1);
    await expect(cache.getOrLoad('bad', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.getOrLoad('bad', load)).toBe('value');
  });
});
