/** Small readers of thrown values, so no caller has to cast `unknown` to learn what went wrong. */

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), when the value has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The message of an Error, or the value itself as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
