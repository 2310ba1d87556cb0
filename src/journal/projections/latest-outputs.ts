/**
 * The "last …" conveniences: the exact prompt of the last agent turn, its final text, and the
 * output of the last verification. Each is the latest value of one journal field, written a moment
 * later (`soon`): a step's events come close together, and the journal holds each value at once.
 */
import type { Effect, Projection, ProjectionTargets } from './types.js';

export const latestOutputsProjection: Projection<ProjectionTargets> = {
  name: 'latest-outputs',
  initial: (targets) => targets,
  reduce(targets, event) {
    const { config } = targets;
    const replace = (file: string, text: string): Effect[] => [
      { kind: 'replace', file, content: { text }, scope: 'latest', soon: true },
    ];
    switch (event.type) {
      case 'turn_start':
        return {
          state: targets,
          effects: event.prompt !== undefined ? replace(config.lastPromptFile, event.prompt) : [],
        };
      case 'turn_end':
        return {
          state: targets,
          effects: event.finalText !== undefined ? replace(config.lastAgentOutputFile, event.finalText) : [],
        };
      case 'verification':
        return {
          state: targets,
          effects: event.output !== undefined ? replace(config.lastVerificationOutputFile, event.output) : [],
        };
      default:
        return { state: targets, effects: [] };
    }
  },
};
