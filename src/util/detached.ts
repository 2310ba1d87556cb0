/**
 * A copy of a string that shares no memory with the one it was cut from. V8 keeps a substring
 * (13 characters and up) as a view into its parent, so a task title kept for the whole run would
 * otherwise keep the whole task file alive as it was when read — one more copy for every read, and
 * the loop reads the file every iteration.
 */
const SHORTEST_VIEW = 13;

export function detached(text: string): string {
  // JSON.parse builds a fresh string; the round trip keeps every code unit, lone surrogates too.
  return text.length < SHORTEST_VIEW ? text : (JSON.parse(JSON.stringify(text)) as string);
}
