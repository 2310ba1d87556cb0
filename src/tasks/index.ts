export type { EolStyle, Task, TaskFile, TaskFileWarning, TaskFileWarningKind, TaskState } from './types.js';
export { TaskFileError, type TaskFileErrorCode } from './errors.js';
export { parseTasks } from './parse.js';
export {
  countTasks,
  currentTask,
  findTask,
  findTaskLine,
  isTaskTicked,
  taskState,
  type TaskCounts,
  type TaskSource,
} from './query.js';
export { tickTask, tickTaskById, type TaskRef } from './tick.js';
export { loadTaskFile, writeTaskFileAtomic, type LoadedTaskFile } from './load.js';
export { normalizeTaskText, makeTaskId } from './task-id.js';
export { matchTask, type TaskMatch } from './match.js';
