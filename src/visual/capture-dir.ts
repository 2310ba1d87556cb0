/**
 * The capture dir is emptied before every capture, so that a stale screenshot can never pass for a
 * new one. Emptying is a delete, and a configuration value must never make the harness delete what
 * it did not create: it empties only a directory it made (or found empty) and marked with a file of
 * its own. A directory that already holds anything else — `.git`, `node_modules`, `~/Documents` —
 * is refused with the reason, and nothing in it is touched.
 */
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../util/errors.js';

export const CAPTURE_DIR_MARKER = '.pi-harness-capture-dir';
const MARKER_TEXT = 'pi-harness made this directory for screenshots and empties it before every capture.\n';

const isWithin = (parent: string, child: string): boolean => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

async function entriesOf(dir: string): Promise<string[] | 'missing' | 'not-a-directory'> {
  try {
    const stat = await lstat(dir);
    if (!stat.isDirectory()) return 'not-a-directory';
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
  return readdir(dir);
}

/**
 * Makes `dir` an empty, marked capture dir, or says why it may not be emptied. `ownArea` is the
 * harness's runtime directory: a directory inside it is the harness's own even without a marker
 * (the default capture dir of earlier versions).
 */
export async function emptyCaptureDir(dir: string, ownArea: string): Promise<string | undefined> {
  const named = `visualCaptureDir (${dir})`;
  const entries = await entriesOf(dir);
  if (entries === 'not-a-directory') return `${named} exists and is not a directory (or is a symbolic link)`;
  if (entries !== 'missing') {
    const marked = entries.includes(CAPTURE_DIR_MARKER);
    const others = entries.filter((name) => name !== CAPTURE_DIR_MARKER);
    if (!marked && others.length > 0 && !isWithin(ownArea, dir)) {
      const examples = others.slice(0, 3).join(', ');
      return (
        `${named} already holds ${others.length} entr${others.length === 1 ? 'y' : 'ies'} pi-harness did not put there ` +
        `(${examples}${others.length > 3 ? ', …' : ''}); it is emptied before every capture, so point ` +
        'visualCaptureDir at a new directory, or empty this one yourself'
      );
    }
    for (const name of others) await rm(path.join(dir, name), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, CAPTURE_DIR_MARKER), MARKER_TEXT);
  return undefined;
}
