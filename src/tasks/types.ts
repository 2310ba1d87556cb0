/**
 * Records produced by parsing a task file (TODOS.md). See docs/task-file.md for the format.
 */

/** One checkbox list item with non-empty text. */
export interface Task {
  /**
   * Stable key for this task across runs: a hash of the normalized task text, plus `-N` for the
   * N-th task (N ≥ 2) with the same normalized text. It deliberately ignores the line number, the
   * done state, the phase and the details, so moving a task, ticking it, adding notes under it or
   * inserting other tasks around it keeps its id. Editing the task's own text gives it a new id.
   */
  readonly id: string;
  /** 1-based line number of the checkbox line. */
  readonly line: number;
  /** The text after the checkbox, trimmed. Never empty. */
  readonly text: string;
  /** Text of the nearest heading above the task, or null when there is none. */
  readonly phase: string | null;
  /** True for `[x]` / `[X]`, false for `[ ]`. */
  readonly done: boolean;
  /**
   * Every line of the task's block (the indented lines under it, including nested sub-tasks and
   * their own details), with the block's common indentation removed. Blank lines inside the block
   * are kept as empty strings; blank lines before the first and after the last detail are dropped.
   */
  readonly details: string[];
  /** Indentation of the checkbox line in columns (a tab advances to the next multiple of 4). */
  readonly indent: number;
  /** Line of the enclosing task when this task is nested under another one. */
  readonly parentLine?: number;
}

/** How the lines of a file end. `none` means the file has at most one line and no line ending. */
export type EolStyle = 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';

export type TaskFileWarningKind = 'empty-checkbox' | 'unclosed-fence' | 'unclosed-comment';

/** Something in the file that is probably a mistake, worth showing to the user. */
export interface TaskFileWarning {
  readonly kind: TaskFileWarningKind;
  /** 1-based line the warning is about. */
  readonly line: number;
  readonly message: string;
}

export interface TaskFile {
  /** All tasks, in file order. */
  readonly tasks: Task[];
  readonly eol: EolStyle;
  /** The text starts with a UTF-8 byte order mark (kept untouched by tickTask). */
  readonly hasBom: boolean;
  readonly lineCount: number;
  readonly endsWithNewline: boolean;
  readonly warnings: TaskFileWarning[];
}

/** Whether a task (looked up by id) is open, done, or no longer in the file. */
export type TaskState = 'open' | 'done' | 'missing';
