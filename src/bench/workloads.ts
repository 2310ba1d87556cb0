/**
 * The bench's workloads, by the name `--workload` takes: `phases` (the default: six tasks in two
 * phases over shared files, with a verification fix and a tester fail) and `parallel` (six
 * independent tasks in one phase, for `--parallel`).
 */
import type { RolePlans } from '../scripted-model/index.js';
import { PARALLEL_PLANS, parallelExpectedPathOf, parallelTaskFile } from './parallel-workload.js';
import {
  expectedPathOf,
  INITIAL_FILES,
  LONG_RUN_TEST_COMMAND,
  PLANS,
  plansFor,
  TEST_COMMAND,
  taskFile,
  type ExpectedPath,
} from './workload.js';

export const WORKLOAD_NAMES = ['phases', 'parallel'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  name: WorkloadName;
  /** The repo before the run (TODOS.md and pi.config.json are added by the runner). */
  initialFiles: Record<string, string>;
  /** TODOS.md; `rounds` > 1 repeats the tasks on files of their own (the memory check). */
  taskFile: (rounds: number) => string;
  testCommand: string;
  plans: RolePlans;
  /** What the workload intends for a task, by its text; undefined for a task it does not know. */
  expectedPathOf: (taskText: string) => ExpectedPath | undefined;
}

export const WORKLOADS: Record<WorkloadName, Workload> = {
  phases: {
    name: 'phases',
    initialFiles: INITIAL_FILES,
    taskFile,
    testCommand: TEST_COMMAND,
    plans: PLANS,
    expectedPathOf,
  },
  parallel: {
    name: 'parallel',
    initialFiles: INITIAL_FILES,
    taskFile: parallelTaskFile,
    testCommand: TEST_COMMAND,
    plans: PARALLEL_PLANS,
    expectedPathOf: parallelExpectedPathOf,
  },
};

export const DEFAULT_WORKLOAD = WORKLOADS.phases;

/**
 * The memory check's workload: the default one, its rounds' tests run in one process
 * (LONG_RUN_TEST_COMMAND), by the harness and by the scripted model alike.
 */
export const LONG_RUN_WORKLOAD: Workload = {
  ...WORKLOADS.phases,
  testCommand: LONG_RUN_TEST_COMMAND,
  plans: plansFor(LONG_RUN_TEST_COMMAND),
};

export const isWorkloadName = (name: string): name is WorkloadName =>
  (WORKLOAD_NAMES as readonly string[]).includes(name);
