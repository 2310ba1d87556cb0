/**
 * Adds the `pi:*` npm scripts to an existing package.json. The file is the user's: existing
 * scripts are never changed, and when something is added the file is re-serialised with its own
 * indentation, line endings and final newline, so the diff is the added lines only.
 */

export const NPM_SCRIPTS: Readonly<Record<string, string>> = {
  'pi:once': 'pi-harness once',
  'pi:run': 'pi-harness run',
  'pi:report': 'pi-harness report',
};

export type ScriptsUpdate =
  | { kind: 'updated'; text: string; added: string[]; kept: string[] }
  | { kind: 'unchanged'; kept: string[] }
  | { kind: 'skipped'; reason: string };

/** The indentation of the first indented line: a tab or that many spaces; none for one-line JSON. */
function detectIndent(text: string): string | number {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  if (indent === undefined) return text.trim().includes('\n') ? 2 : 0;
  return indent.includes('\t') ? '\t' : indent.length;
}

export function addNpmScripts(text: string, scripts: Readonly<Record<string, string>> = NPM_SCRIPTS): ScriptsUpdate {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(bom.length));
  } catch (error) {
    return { kind: 'skipped', reason: `package.json is not valid JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'skipped', reason: 'package.json is not a JSON object' };
  }
  const pkg = parsed as Record<string, unknown>;
  const existing = pkg.scripts ?? {};
  if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) {
    return { kind: 'skipped', reason: 'package.json "scripts" is not an object' };
  }
  const current = existing as Record<string, unknown>;
  const added = Object.keys(scripts).filter((name) => !(name in current));
  const kept = Object.keys(scripts).filter((name) => name in current);
  if (added.length === 0) return { kind: 'unchanged', kept };

  pkg.scripts = { ...current, ...Object.fromEntries(added.map((name) => [name, scripts[name]])) };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let serialised = JSON.stringify(pkg, null, detectIndent(text));
  if (eol !== '\n') serialised = serialised.replace(/\n/g, eol);
  const finalNewline = /\r?\n$/.test(text) ? eol : '';
  return { kind: 'updated', text: `${bom}${serialised}${finalNewline}`, added, kept };
}
