/**
 * The absolute path of the loadout extension, for `pi --extension`: the built `.js` next to this
 * module in an installed harness, the `.ts` source when the harness runs from its sources (pi
 * loads TypeScript extensions itself).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function loadoutExtensionPath(): string {
  for (const name of ['./pi-extension.js', './pi-extension.ts']) {
    const candidate = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('pi-harness is incomplete: the loadout pi extension is missing next to extension-path.js');
}
