/** The terminal view of a run: one line per event worth a human's attention, and a summary per iteration. */
import type { IterationSummary } from './iteration.js';

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export function formatIterationSummary(summary: IterationSummary): string {
  const tokens = summary.usage.input + summary.usage.output;
  const lines = [
    `iteration ${summary.iteration}: ${summary.status.toUpperCase()} (${summary.reason})`,
    `  task:         ${summary.task.text}${summary.task.phase ? `  [${summary.task.phase}]` : ''}`,
    `  developer:    ${summary.developer ?? 'not run'}`,
    `  verification: ${summary.verification}`,
    `  tester:       ${summary.verdict}`,
    `  commit:       ${summary.commit ? summary.commit.slice(0, 12) : 'none'}`,
    `  duration:     ${seconds(summary.durationMs)}, ${summary.turns} turns, ${summary.modelRequests} model requests, ${tokens} tokens` +
      (summary.usage.cost > 0 ? `, $${summary.usage.cost.toFixed(4)}` : ''),
  ];
  for (const note of summary.notes) lines.push(`  note:         ${note}`);
  return lines.join('\n');
}
