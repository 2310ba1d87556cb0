/** The JSON Schema users' editors read through `"$schema"`, generated from the one zod schema. */
import { z } from '../util/validator.js';
import { ConfigSchema } from './schema.js';

export const SCHEMA_ID = 'https://unpkg.com/pi-harness/schema/pi.config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what a user writes (defaults make fields optional), not what we hold.
  const generated = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...generated,
    $id: SCHEMA_ID,
    title: 'pi-harness configuration (pi.config.json)',
    description:
      'Configuration of pi-harness. Environment variables (x-env) override the file; the file overrides the defaults.',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
