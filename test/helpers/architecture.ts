/**
 * The repository's own architecture check (docs/architecture.md): imports between the folders of
 * src/ run one way, from the CLI down to the leaves, the folder graph has no cycle, and no function
 * outgrows a screen. The layer table below is the one in docs/architecture.md; change both together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Lowest first. A folder may import its own layer (without a cycle) and every layer below it. */
export const LAYERS: readonly (readonly string[])[] = [
  ['vocabulary', 'util', 'version.ts'],
  ['config', 'tasks', 'process', 'scripted-model'],
  ['redact', 'verify', 'workspace', 'agent', 'runtime'],
  ['journal', 'prompts', 'guardrails', 'integrity', 'control'],
  ['visual', 'report', 'doctor', 'init', 'clear-history'],
  ['loop', 'parallel', 'dashboard'],
  ['demo', 'bench', 'soak'],
  ['cli'],
];

export const MAX_FUNCTION_LINES = 80;

export interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  rel: string;
  text: string;
}

export interface ArchitectureReport {
  upward: string[];
  cycles: string[];
  unknownFolders: string[];
  longFunctions: string[];
}

/** The top-level folder (or root file) of a path relative to src/. */
function unitOf(rel: string): string {
  // An import names the compiled file (`../version.js`); the layer table names the source.
  return rel.split('/')[0]!.replace(/\.js$/, '.ts');
}

function layerOf(unit: string): number | undefined {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  return index === -1 ? undefined : index;
}

function relativeImports(file: SourceFile, source: ts.SourceFile): string[] {
  const targets: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text.startsWith('.')
    ) {
      targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(file.rel), node.moduleSpecifier.text)));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return targets;
}

function longFunctions(file: SourceFile, source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const isFunction =
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessor(node) ||
      ts.isSetAccessor(node);
    if (isFunction && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name =
          node.name?.getText(source) ??
          (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
        found.push(`${file.rel}:${first + 1} ${name} ${lines} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Groups of folders that import each other, directly or around a cycle (strongly connected components). */
function findCycles(edges: Map<string, Set<string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[] = [];
  const connect = (unit: string): void => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit)!);
    stack.push(unit);
    onStack.add(unit);
    for (const next of edges.get(unit) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(unit, Math.min(low.get(unit)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(unit, Math.min(low.get(unit)!, index.get(next)!));
      }
    }
    if (low.get(unit) !== index.get(unit)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== unit);
    if (group.length > 1) groups.push(group.sort().join(' <-> '));
  };
  for (const unit of edges.keys()) if (!index.has(unit)) connect(unit);
  return groups.sort();
}

export function checkArchitecture(files: readonly SourceFile[]): ArchitectureReport {
  const report: ArchitectureReport = { upward: [], cycles: [], unknownFolders: [], longFunctions: [] };
  const edges = new Map<string, Set<string>>();
  const unknown = new Set<string>();
  for (const file of files) {
    const source = ts.createSourceFile(file.rel, file.text, ts.ScriptTarget.Latest, true);
    report.longFunctions.push(...longFunctions(file, source));
    const from = unitOf(file.rel);
    const fromLayer = layerOf(from);
    if (fromLayer === undefined) unknown.add(from);
    for (const target of relativeImports(file, source)) {
      const to = unitOf(target);
      if (to === from) continue;
      const toLayer = layerOf(to);
      if (toLayer === undefined) unknown.add(to);
      if (fromLayer !== undefined && toLayer !== undefined && toLayer > fromLayer) {
        report.upward.push(`${file.rel} -> ${target} (${from} is below ${to})`);
      }
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  report.cycles = findCycles(edges);
  report.unknownFolders = [...unknown].sort();
  return report;
}

/** Every .ts file under a src/ directory. */
export function readSourceTree(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push({ rel: path.relative(srcDir, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(srcDir);
  return files;
}
