/** The human-readable log: the repo-level `logFile` (all runs) and `runs/<runId>/run.log`. */
import path from 'node:path';
import { formatLogLine, logLineKey } from '../render/log-lines.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

export const RUN_LOG_FILE = 'run.log';

export const logProjection: Projection<ProjectionTargets> = {
  name: 'log',
  initial: (targets) => targets,
  reduce(targets, event) {
    const line = { text: formatLogLine(event) };
    const key = `${event.runId}#${event.seq}`;
    const effects: Effect[] = [
      { kind: 'append', file: targets.config.logFile, content: line, key, keyOf: logLineKey },
      { kind: 'append', file: path.join(targets.runDir, RUN_LOG_FILE), content: line, key, keyOf: logLineKey },
    ];
    return { state: targets, effects };
  },
};
