/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** All of standard input (visual-review-worker); the process's stdin when absent. */
  stdin?: () => Promise<string>;
}
