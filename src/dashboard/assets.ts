/**
 * The page's built files (index.html, app.js, app.css), shipped in the package under
 * dist/dashboard/public and served from disk: nothing is fetched from a network at run time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** dist/dashboard/public next to the built server; from the sources (tests), the built copy. */
export function assetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.join(here, '..', '..', 'dist', 'dashboard', 'public')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}

/** A file of the page by its name (no directories: nothing outside the assets is ever served). */
export async function readAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) return undefined;
  const type = TYPES[path.extname(name)];
  if (!type) return undefined;
  try {
    return { body: await readFile(path.join(assetsDir(), name)), type };
  } catch {
    return undefined;
  }
}
