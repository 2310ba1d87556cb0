/** What `init` writes into a new repo: the starting config and an example task file. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../version.js';

export const SCAFFOLD_PATHS = {
  taskFile: 'TODOS.md',
  developerInstructionsFile: 'pi/DEVELOPER.md',
  testerInstructionsFile: 'pi/TESTER.md',
} as const;

const LOCAL_SCHEMA = 'node_modules/pi-harness/schema/pi.config.schema.json';

/**
 * The `$schema` an editor reads for completion and hover help. A local install is preferred (it
 * always matches the installed version and works offline); otherwise the same file on unpkg,
 * pinned to this version.
 */
export function schemaReference(configDir: string): string {
  if (existsSync(path.join(configDir, LOCAL_SCHEMA))) return `./${LOCAL_SCHEMA}`;
  return `https://unpkg.com/pi-harness@${VERSION}/schema/pi.config.schema.json`;
}

/** Only what a new user decides on; every other field keeps its documented default. */
export function initialConfigText(options: { schema: string; testCommand: string }): string {
  const config = {
    $schema: options.schema,
    taskFile: SCAFFOLD_PATHS.taskFile,
    developerInstructionsFile: SCAFFOLD_PATHS.developerInstructionsFile,
    testerInstructionsFile: SCAFFOLD_PATHS.testerInstructionsFile,
    testCommand: options.testCommand,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export const EXAMPLE_TASKS = `# Tasks

pi-harness works on the first open task (\`- [ ]\`) in this file, one task per iteration, and ticks
it in the commit that completes it. Keep each task one small, reviewable change. Indented lines
under a task are details the agents read with it. Replace the examples below with your own.

## Getting started

- [ ] Add a "Development" section to README.md that says how to install the dependencies and run the tests
- [ ] Add a unit test for one small function that has none yet
  - Choose a pure function; do not change its behaviour
`;
