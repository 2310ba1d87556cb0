/**
 * Task ids: keys that survive the edits that happen between harness runs (ticking, moving a task,
 * adding notes or other tasks around it). Line numbers do not survive those, so the id is derived
 * from the task text alone.
 */
import { createHash } from 'node:crypto';

/**
 * Unicode NFC (so a precomposed `é` and `e` + combining accent are the same task) with whitespace
 * runs collapsed, so re-wrapping spaces or a tab typed by mistake does not change the id.
 */
export function normalizeTaskText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

const HASH_HEX_CHARS = 12;

/**
 * `occurrence` is 1 for the first task with this normalized text in the file, 2 for the second, …
 * The hash keeps ids short and safe as file names and JSON keys whatever the text contains.
 */
export function makeTaskId(text: string, occurrence: number): string {
  const hash = createHash('sha256').update(normalizeTaskText(text), 'utf8').digest('hex').slice(0, HASH_HEX_CHARS);
  return occurrence <= 1 ? hash : `${hash}-${occurrence}`;
}
