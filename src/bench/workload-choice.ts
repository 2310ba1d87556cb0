/**
 * The bench's `--workload NAME` and `--parallel N[,M...]` options, checked together: which workload
 * a bench run plays and with which worker counts, or what is wrong with the options.
 */
import { DEFAULT_WORKLOAD, isWorkloadName, type Workload, WORKLOAD_NAMES, WORKLOADS } from './workloads.js';

export interface WorkloadChoice {
  workload: Workload;
  /** `--parallel`'s worker counts (empty: no --parallel). */
  counts: number[];
}

/**
 * `--workload` and `--parallel N[,M...]` (worker counts from 1 to 16, as `run --parallel` takes
 * them): the workload to play, or what is wrong with the options. `--parallel` implies the parallel
 * workload and runs this build alone: not with `--compare`, `--memory-check` or the other workload.
 */
export function workloadChoice(values: {
  workload?: string | undefined;
  parallel?: string | undefined;
  compare?: string | undefined;
  'memory-check'?: string | undefined;
}): WorkloadChoice | string {
  const name = values.workload ?? (values.parallel === undefined ? DEFAULT_WORKLOAD.name : 'parallel');
  if (!isWorkloadName(name)) return `unknown workload "${name}" (expected ${WORKLOAD_NAMES.join(' or ')})`;
  const workload = WORKLOADS[name];
  if (workload.name !== 'phases' && values['memory-check'] !== undefined)
    return `--memory-check repeats the ${DEFAULT_WORKLOAD.name} workload; it cannot play the ${name} one`;
  if (values.parallel === undefined) return { workload, counts: [] };
  const counts = values.parallel.split(',').map((part) => (/^\d+$/.test(part.trim()) ? Number(part) : Number.NaN));
  if (!counts.every((n) => n >= 1 && n <= 16))
    return `--parallel takes worker counts from 1 to 16, e.g. 3 or 2,3 (got "${values.parallel}")`;
  if (workload.name !== 'parallel') return `--parallel plays the parallel workload (not --workload ${name})`;
  if (values.compare !== undefined || values['memory-check'] !== undefined)
    return '--parallel runs this build alone: not with --compare or --memory-check';
  return { workload, counts };
}
