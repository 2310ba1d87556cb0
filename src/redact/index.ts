export { createRedactor, MIN_SECRET_LENGTH, type NamedSecret, type Redactor } from './redactor.js';
export { isSecretEnvName, redactorFor, redactorFromEnv, secretsFromConfig, secretsFromEnv } from './secrets.js';
export { redactingIo } from './io.js';
export { redactJsonlFile, redactSessionDir, sessionDirOf } from './session-files.js';
