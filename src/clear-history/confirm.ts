/** A yes/no question on the terminal; anything but "y" or "yes" is a no. */
import { createInterface } from 'node:readline/promises';

export type Confirm = (question: string) => Promise<boolean>;

/** The terminal's confirm, or undefined when stdin or stdout is not a terminal (nobody to ask). */
export function terminalConfirm(): Confirm | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^\s*y(es)?\s*$/i.test(await rl.question(question));
    } finally {
      rl.close();
    }
  };
}
