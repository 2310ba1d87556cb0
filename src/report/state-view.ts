/**
 * Parked tasks and a crashed iteration, read from the state (out of the work tree's reach; with
 * none there yet, the one an earlier version kept where `stateFile` points). Read-only: unlike a
 * starting run, the report never moves an unreadable state file aside, it says so and goes on.
 */
import { readFile } from 'node:fs/promises';
import type { HarnessHome } from '../runtime/harness-home.js';
import { loadTaskFile } from '../tasks/index.js';
import { errorCode, errorMessage } from '../util/errors.js';
import { booleanField, numberField, objectField, stringField, type JsonObject } from '../util/json.js';
import type { ParkedTask, ReportDocument } from './types.js';

export interface StateView {
  parkedTasks: ParkedTask[];
  inProgress: ReportDocument['inProgress'];
  warning?: string;
}

type TaskNames = ReadonlyMap<string, { text: string; phase: string | null }>;

/** The state's JSON object; undefined when there is none; a message when it cannot be read. */
async function readStateObject(file: string): Promise<JsonObject | undefined | string> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as JsonObject;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    return `state file ${file} could not be read: ${errorMessage(error)}`;
  }
}

export async function readStateView(
  home: Pick<HarnessHome, 'stateFile' | 'stateProjection'>,
  taskFile: string,
  journalTasks: TaskNames,
): Promise<StateView> {
  const read = (await readStateObject(home.stateFile)) ?? (await readStateObject(home.stateProjection));
  if (read === undefined) return { parkedTasks: [], inProgress: null };
  if (typeof read === 'string') return { parkedTasks: [], inProgress: null, warning: read };
  const state = read;
  const tasks = objectField(state, 'tasks') ?? {};
  const parkedIds = Object.keys(tasks).filter((id) => booleanField(objectField(tasks, id) ?? {}, 'parked') === true);
  const names = parkedIds.length > 0 ? await taskNames(taskFile, journalTasks) : journalTasks;
  const parkedTasks = parkedIds.map((id): ParkedTask => {
    const record = objectField(tasks, id) ?? {};
    const name = names.get(id);
    return {
      id,
      text: name?.text ?? null,
      phase: name?.phase ?? null,
      attempts: numberField(record, 'attempts') ?? 0,
      failures: numberField(record, 'failures') ?? 0,
      lastStatus: stringField(record, 'lastStatus') ?? null,
      lastReason: stringField(record, 'lastReason') ?? null,
      parkedAt: stringField(record, 'parkedAt') ?? null,
    };
  });
  parkedTasks.sort((a, b) => (b.parkedAt ?? '').localeCompare(a.parkedAt ?? ''));
  const progress = objectField(state, 'inProgress');
  const inProgress = progress
    ? {
        runId: stringField(progress, 'runId') ?? '?',
        iteration: numberField(progress, 'iteration') ?? 0,
        taskText: stringField(progress, 'taskText') ?? '?',
        startedAt: stringField(progress, 'startedAt') ?? '',
      }
    : null;
  return { parkedTasks, inProgress };
}

/** Task texts by id: the task file as it is now, else what the journals recorded. */
async function taskNames(taskFile: string, journalTasks: TaskNames): Promise<TaskNames> {
  const names = new Map(journalTasks);
  try {
    const { file } = await loadTaskFile(taskFile);
    for (const task of file.tasks) names.set(task.id, { text: task.text, phase: task.phase });
  } catch {
    // No task file (or an unreadable one): the journal's names will do.
  }
  return names;
}
