export { GUARD_REF_PREFIX, releaseSnapshot, type TakeSnapshotOptions, takeSnapshot } from './take.js';
export { restoreSnapshot } from './restore.js';
export * from './types.js';
export { loadSavedSnapshot, removeSavedSnapshot, savedSnapshotLabels, saveSnapshot } from './saved.js';
