/**
 * The browser tests' gate: they skip with a message only when chromium is absent outside CI; under
 * CI a missing chromium fails them, so a broken CI image cannot pass by skipping.
 */
import { describe, expect, it, vi } from 'vitest';
import { browserMissing, CHROMIUM } from '../helpers/browser.js';

const ABSENT = '/nonexistent/chromium-for-this-test';

describe('browserMissing', () => {
  it('skips with a message naming the missing browser and how to install it, outside CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const message = browserMissing(ABSENT, {});
      expect(message).toContain(ABSENT);
      expect(message).toContain('apt-get install -y chromium');
      expect(warn).toHaveBeenCalledWith(`skipping the browser tests: ${message}`);
    } finally {
      warn.mockRestore();
    }
  });

  it('fails under CI instead of skipping', () => {
    expect(() => browserMissing(ABSENT, { CI: 'true' })).toThrow(/^CI: .*missing/);
    expect(() => browserMissing(ABSENT, { CI: '1' })).toThrow(/^CI: /);
  });

  it('lets the tests run when the browser is there', () => {
    expect(browserMissing(process.execPath, { CI: 'true' })).toBeUndefined();
    expect(CHROMIUM).toBe('/usr/bin/chromium');
  });
});
