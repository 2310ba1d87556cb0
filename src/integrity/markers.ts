/**
 * Markers that stop a test from running or make the others stop running: skip, only/focus, todo,
 * pending, expected failure, disabled. Each language has its own, so a file is searched only for
 * the markers of its language (`pending` means something else in a JavaScript module than in a
 * spec file).
 */

import { type Language, languageOf } from './language.js';
import { declaresTests } from './test-declarations.js';
import type { PathMatcher } from './test-globs.js';
import type { FileChange, IntegrityFinding } from './types.js';

interface Marker {
  /** How the finding names it: the marker as a user would write it. */
  readonly name: string;
  readonly pattern: RegExp;
}

const JS_MARKERS: readonly Marker[] = [
  { name: '.skip', pattern: /\.skip\s*\(/ },
  { name: '.only', pattern: /\.only\s*\(/ },
  { name: '.todo', pattern: /\.todo\s*\(/ },
  { name: '.skipIf', pattern: /\.(?:skipIf|runIf)\s*\(/ },
  { name: '.fails', pattern: /\b(?:it|test)\.fails\s*\(/ },
  { name: 'xit', pattern: /\b(?:xit|xtest|xdescribe|xcontext|xspecify|xsuite)\s*\(/ },
  { name: 'fit', pattern: /\b(?:fit|fdescribe|ftest)\s*\(/ },
  { name: '{ skip: true }', pattern: /\bskip\s*:\s*(?:true|!0|['"`])/ },
  { name: '{ todo: true }', pattern: /\btodo\s*:\s*(?:true|!0|['"`])/ },
  { name: '{ only: true }', pattern: /\bonly\s*:\s*(?:true|!0)/ },
  { name: 'pending()', pattern: /(?:^|[^.\w])pending\s*\(/ },
];

const PYTHON_MARKERS: readonly Marker[] = [
  { name: '@pytest.mark.skip', pattern: /\bpytest\.mark\.skip(?:if)?\b/ },
  { name: '@pytest.mark.xfail', pattern: /\bpytest\.mark\.xfail\b/ },
  { name: 'pytest.skip(', pattern: /\bpytest\.(?:skip|xfail|importorskip)\s*\(/ },
  { name: '@unittest.skip', pattern: /(?:\bunittest\.|^\s*@)(?:skip|skipIf|skipUnless|expectedFailure)\b/ },
  { name: 'skipTest(', pattern: /\.skipTest\s*\(|\bSkipTest\b/ },
];

const GO_MARKERS: readonly Marker[] = [
  { name: 't.Skip(', pattern: /\.Skip(?:f|Now)?\s*\(/ },
  { name: '//go:build', pattern: /^\s*\/\/(?:go:build|\s*\+build)\s/ },
];

const RUST_MARKERS: readonly Marker[] = [
  { name: '#[ignore]', pattern: /#\[ignore\b/ },
  { name: '#[cfg(any())]', pattern: /#\[cfg\((?:any\(\)|all\(any\(\)\)|FALSE|never)\)\]/ },
];

const JAVA_MARKERS: readonly Marker[] = [
  { name: '@Disabled', pattern: /@Disabled\w*\b/ },
  { name: '@Ignore', pattern: /@Ignore\b/ },
  { name: 'assumeTrue(', pattern: /\bassume(?:True|False|That)\s*\(/ },
];

const RUBY_MARKERS: readonly Marker[] = [
  { name: 'xit', pattern: /^\s*(?:xit|xdescribe|xcontext|xspecify|xexample|xscenario)\b/ },
  { name: 'fit', pattern: /^\s*(?:fit|fdescribe|fcontext|focus)\b/ },
  { name: 'skip', pattern: /^\s*(?:skip|omit)\b/ },
  { name: 'pending', pattern: /^\s*pending\b/ },
  { name: 'skip: true', pattern: /(?:\bskip:|:skip\s*=>)\s*(?:true|['"])/ },
];

const MARKERS: Readonly<Record<Language, readonly Marker[]>> = {
  javascript: JS_MARKERS,
  python: PYTHON_MARKERS,
  go: GO_MARKERS,
  rust: RUST_MARKERS,
  java: JAVA_MARKERS,
  ruby: RUBY_MARKERS,
};

/** The names of the markers on one line of a file in `language`. */
export function markersOnLine(line: string, language: Language): string[] {
  return MARKERS[language].filter((marker) => marker.pattern.test(line)).map((marker) => marker.name);
}

export interface AddedMarker {
  readonly marker: string;
  /** The added line, trimmed. */
  readonly line: string;
}

/**
 * Markers on the lines `after` has more often than `before`. Lines are compared as a multiset of
 * trimmed lines, so a marker that was already there does not count again when its test moves
 * within the file or is re-indented.
 */
export function addedMarkers(before: string, after: string, language: Language): AddedMarker[] {
  const remaining = new Map<string, number>();
  for (const line of before.split('\n')) remaining.set(line.trim(), (remaining.get(line.trim()) ?? 0) + 1);
  const found: AddedMarker[] = [];
  for (const raw of after.split('\n')) {
    const line = raw.trim();
    const left = remaining.get(line) ?? 0;
    if (left > 0) {
      remaining.set(line, left - 1);
      continue;
    }
    for (const marker of markersOnLine(raw, language)) found.push({ marker, line });
  }
  return found;
}

/** Skip/only/todo markers on lines added to test files (or to any file that declares tests). */
export function markerFindings(changes: readonly FileChange[], isTestFile: PathMatcher): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  for (const change of changes) {
    const after = change.after?.text;
    const language = languageOf(change.path);
    if (after === undefined || language === undefined) continue;
    if (!isTestFile(change.path) && !declaresTests(after, change.path)) continue;
    const added = addedMarkers(change.before?.text ?? '', after, language);
    if (added.length === 0) continue;
    const names = [...new Set(added.map((marker) => marker.marker))].join(', ');
    const example = added[0]!.line.length > 80 ? `${added[0]!.line.slice(0, 80)}…` : added[0]!.line;
    const detail = `${change.path}: added ${names} (${JSON.stringify(example)})`;
    findings.push({ rule: 'skip-marker-added', path: change.path, detail });
  }
  return findings;
}
