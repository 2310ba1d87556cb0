/** The words of operator control: what an operator can ask of a running run, and how it answered. */

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'skip', 'retry', 'steer'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Where a control request came from. */
export const CONTROL_SOURCES = ['cli', 'dashboard'] as const;
export type ControlSource = (typeof CONTROL_SOURCES)[number];

/**
 * How the run settled a request: `applied` (it did what was asked), `no_effect` (nothing to do:
 * resume while not paused, retry of a task that is not parked, the run ended first), `rejected`
 * (the request named no task the run knows).
 */
export const CONTROL_RESULTS = ['applied', 'no_effect', 'rejected'] as const;
export type ControlResult = (typeof CONTROL_RESULTS)[number];

/** Who parked a task. */
export const PARK_CAUSES = ['attempts', 'budget', 'operator'] as const;
export type ParkCause = (typeof PARK_CAUSES)[number];
