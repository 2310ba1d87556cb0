/** The exit-code table and the one mapping from a loop's outcome to a code (src/vocabulary/exit-codes.ts). */
export { EXIT, exitCodeOf, type ExitCode } from '../vocabulary/exit-codes.js';
