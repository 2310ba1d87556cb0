import { afterEach } from 'vitest';

/**
 * Wraps a factory of closable fixtures (a repo with its scripted model server, ...) so that
 * everything it made is closed after each test, whatever the test did.
 */
export function closedAfterEach<T extends { close(): Promise<void> }, A extends unknown[]>(
  factory: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  const made: T[] = [];
  afterEach(async () => {
    for (const fixture of made.splice(0)) await fixture.close();
  });
  return async (...args: A) => {
    const fixture = await factory(...args);
    made.push(fixture);
    return fixture;
  };
}
