/**
 * Build step: writes schema/pi.config.schema.json and docs/configuration.md from the zod schema,
 * so neither can drift from what the harness accepts (tests compare them with the generated text).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configurationMarkdown } from './config-docs.js';
import { configJsonSchemaText } from './json-schema.js';

await writeFile(fileURLToPath(new URL('../../schema/pi.config.schema.json', import.meta.url)), configJsonSchemaText());
await writeFile(fileURLToPath(new URL('../../docs/configuration.md', import.meta.url)), configurationMarkdown());
