/** Build step: writes schema/pi.config.schema.json from the zod schema so the two cannot drift. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from './json-schema.js';

const target = fileURLToPath(new URL('../../schema/pi.config.schema.json', import.meta.url));
await writeFile(target, configJsonSchemaText());
