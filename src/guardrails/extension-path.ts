/**
 * The absolute path of the guard's pi extension, for `pi --extension`. Next to this module: the
 * built `.js` in an installed harness, the `.ts` source when the harness runs from its sources
 * (pi loads TypeScript extensions itself).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function guardrailsExtensionPath(): string {
  const built = fileURLToPath(new URL('./pi-extension.js', import.meta.url));
  if (existsSync(built)) return built;
  const source = fileURLToPath(new URL('./pi-extension.ts', import.meta.url));
  if (existsSync(source)) return source;
  throw new Error(`the guardrails pi extension is missing (looked for ${built})`);
}
