/**
 * Colour for the terminal view: only on a TTY, never with NO_COLOR set (https://no-color.org),
 * and FORCE_COLOR turns it on for pipes that understand it (`less -R`).
 */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  /** Colours a status word by what it means: green good, red bad, yellow attention, cyan going. */
  status(status: string, text?: string): string;
}

export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

const sgr = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const red = sgr('31');
const green = sgr('32');
const yellow = sgr('33');
const cyan = sgr('36');

const STATUS_COLOR: Record<string, (text: string) => string> = {
  succeeded: green,
  finished: green,
  PASS: green,
  passed: green,
  failed: red,
  stalled: red,
  crashed: red,
  FAIL: red,
  timed_out: red,
  blocked: yellow,
  BLOCKED: yellow,
  UNKNOWN: yellow,
  interrupted: yellow,
  running: cyan,
};

export function createStyle(enabled: boolean): Style {
  if (!enabled) return { bold: (text) => text, dim: (text) => text, status: (_, text) => text ?? _ };
  const dim = sgr('2');
  return {
    bold: sgr('1'),
    dim,
    status: (status, text = status) => (STATUS_COLOR[status] ?? ((plain: string) => plain))(text),
  };
}
