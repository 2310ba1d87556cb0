/**
 * Stack frames inside the runtime or third-party packages tell the developer nothing it can fix,
 * yet they crowd the verification excerpt's line budget out of the assertion that failed. Runs of
 * such frames collapse to one line saying how many were left out; frames in the project's own
 * files stay.
 */

/** A stack-frame line pointing into a runtime or a dependency (Node, Python, JVM, Go runtime). */
const FOREIGN_FRAME = [
  /^\s*at .*(?:\(|\s)(?:node:|internal\/)/, // Node core: at fn (node:internal/...)
  /^\s*at .*[/\\]node_modules[/\\]/, // Node dependencies
  /^\s*File ".*[/\\](?:site-packages|dist-packages|lib[/\\]python\d[.\d]*)[/\\]/, // Python
  /^\s*at (?:java|javax|jdk|sun|kotlin|org\.junit|junit)\./, // JVM runtime and test framework
  /^\s*\/usr\/(?:local\/)?go\/src\//, // Go runtime
];

function isForeignFrame(line: string): boolean {
  return FOREIGN_FRAME.some((pattern) => pattern.test(line));
}

/** Collapses each run of 2+ foreign frames into `… N stack frames in the runtime or dependencies`. */
export function collapseForeignFrames(text: string): string {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 2) {
      const indent = /^\s*/.exec(run[0]!)?.[0] ?? '';
      out.push(`${indent}… ${run.length} stack frames in the runtime or dependencies`);
    } else {
      out.push(...run);
    }
    run = [];
  };
  for (const line of text.split('\n')) {
    if (isForeignFrame(line)) {
      run.push(line);
    } else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}
