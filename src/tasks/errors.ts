export type TaskFileErrorCode =
  | 'not-found'
  | 'not-a-file'
  | 'unreadable'
  | 'invalid-utf8'
  | 'write-failed'
  | 'line-out-of-range'
  | 'not-a-task'
  | 'task-mismatch'
  | 'task-not-found';

export interface TaskFileErrorDetails {
  path?: string;
  line?: number;
  cause?: unknown;
}

/** Every failure of the task-file module; `code` tells callers what went wrong without parsing messages. */
export class TaskFileError extends Error {
  override readonly name = 'TaskFileError';
  readonly code: TaskFileErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;

  constructor(code: TaskFileErrorCode, message: string, details: TaskFileErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.line = details.line;
  }
}
