/**
 * Files the agent must not edit to make its work pass: the harness's configuration, the role
 * instructions, CI definitions, the test command's configuration, and the user's protectedPaths.
 * (The task file has its own rule in task-file.ts.)
 */
import { testConfigDifference, isTestConfigFile } from './config-files.js';
import { filesNamedBy, readScripts, type Scripts, testScriptClosure } from './package-scripts.js';
import { globMatcher } from './test-globs.js';
import type { FileChange, IntegrityFinding } from './types.js';
import { isObject } from '../util/json.js';

export const CI_GLOBS: readonly string[] = [
  '.github/workflows/**',
  '.github/actions/**',
  '.gitlab-ci.yml',
  '.gitlab-ci/**',
  '.ci/**',
  '**/Jenkinsfile',
  '.circleci/**',
  'azure-pipelines.yml',
  '.azure-pipelines/**',
  '.travis.yml',
  'bitbucket-pipelines.yml',
  '.buildkite/**',
  '.drone.yml',
  'appveyor.yml',
  '.appveyor.yml',
  '.woodpecker.yml',
  '.woodpecker/**',
];

const isCiFile = globMatcher(CI_GLOBS);

export interface ProtectedContext {
  readonly harnessConfigFile?: string;
  readonly instructionFiles: readonly string[];
  readonly protectedPaths: readonly string[];
  readonly testCommand: string;
  /** The root package.json at the start, for the files its test scripts run. */
  readonly packageManifest?: string;
}

export function protectedFindings(changes: readonly FileChange[], context: ProtectedContext): IntegrityFinding[] {
  const isProtectedPath = globMatcher(context.protectedPaths);
  const filesRunByTests = new Set(testCommandFiles(context.testCommand, context.packageManifest));
  const findings: IntegrityFinding[] = [];
  for (const change of changes) {
    if (unchanged(change)) continue;
    const file = change.path;
    const add = (rule: IntegrityFinding['rule'], detail: string) => findings.push({ rule, path: file, detail });
    if (file === context.harnessConfigFile) {
      add('harness-config-edited', `${file} (the harness configuration) was ${verb(change)}`);
    }
    if (context.instructionFiles.includes(file)) {
      add('instructions-edited', `${file} (a role's instructions) was ${verb(change)}`);
    }
    if (isCiFile(file)) add('ci-config-edited', `${file} (CI configuration) was ${verb(change)}`);
    const testConfig = testConfigDetail(change, context.testCommand, filesRunByTests);
    if (testConfig !== undefined) add('test-config-edited', `${file}: ${testConfig}`);
    if (isProtectedPath(file)) add('protected-path-edited', `${file} (in protectedPaths) was ${verb(change)}`);
  }
  return findings;
}

function unchanged(change: FileChange): boolean {
  const { before, after } = change;
  return before !== undefined && after !== undefined && before.size === after.size && before.text === after.text;
}

function verb(change: FileChange): string {
  if (change.before === undefined) return 'created';
  return change.after === undefined ? 'deleted' : 'edited';
}

function testConfigDetail(
  change: FileChange,
  testCommand: string,
  filesRunByTests: ReadonlySet<string>,
): string | undefined {
  if (filesRunByTests.has(change.path)) return `the test command runs it, and it was ${verb(change)}`;
  const before = change.before?.text ?? '';
  const after = change.after?.text ?? '';
  if (change.path === 'package.json' || change.path.endsWith('/package.json')) {
    return packageScriptsDifference(before, after, testCommand);
  }
  if (!isTestConfigFile(change.path)) return undefined;
  if (change.before === undefined || change.after === undefined) return `test configuration ${verb(change)}`;
  return testConfigDifference(change.path, before, after);
}

/** The files the test command runs: named on the command line or in the test scripts it runs. */
export function testCommandFiles(testCommand: string, packageManifest: string | undefined): string[] {
  const scripts = packageManifest === undefined ? undefined : readScripts(packageManifest);
  const bodies =
    scripts === undefined ? [] : [...testScriptClosure(scripts, testCommand)].map((name) => scripts[name] ?? '');
  return [testCommand, ...bodies].flatMap(filesNamedBy);
}

/** Test-selecting keys of package.json besides its scripts. */
const RUNNER_KEYS = ['jest', 'mocha', 'ava', 'vitest'];

/** What changed in the package.json test scripts (and runner settings kept in package.json). */
export function packageScriptsDifference(before: string, after: string, testCommand: string): string | undefined {
  const old = readScripts(before) ?? {};
  const parsedNow = readScripts(after);
  if (parsedNow === undefined && after.trim() !== '') return 'it no longer parses as JSON';
  const now = parsedNow ?? {};
  const names = new Set([...testScriptClosure(old, testCommand), ...testScriptClosure(now, testCommand)]);
  const changed = [...names].filter((name) => old[name] !== now[name]).sort();
  if (changed.length > 0) return changed.map((name) => describeScript(name, old, now)).join('; ');
  const keys = RUNNER_KEYS.filter(
    (key) => JSON.stringify(topLevel(before, key)) !== JSON.stringify(topLevel(after, key)),
  );
  return keys.length > 0 ? `its "${keys[0]}" settings changed` : undefined;
}

function describeScript(name: string, old: Scripts, now: Scripts): string {
  const was = old[name];
  const is = now[name];
  if (was === undefined) return `scripts.${name} was added: ${JSON.stringify(is)}`;
  if (is === undefined) return `scripts.${name} was removed (was ${JSON.stringify(was)})`;
  return `scripts.${name} changed from ${JSON.stringify(was)} to ${JSON.stringify(is)}`;
}

function topLevel(manifest: string, key: string): unknown {
  try {
    const parsed: unknown = JSON.parse(manifest);
    return isObject(parsed) ? parsed[key] : undefined;
  } catch {
    return undefined;
  }
}
