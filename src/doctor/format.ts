/** Plain-text rendering of check results, shared by `doctor` and the loop's preflight. */
import type { CheckResult, CheckStatus, PreflightResult } from './types.js';

export const STATUS_SYMBOL: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

/** One line per check (symbol, title, detail) and an indented fix under warnings and failures. */
export function formatChecks(checks: readonly CheckResult[]): string {
  const width = Math.max(...checks.map((check) => check.title.length), 0);
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${STATUS_SYMBOL[check.status]} ${check.title.padEnd(width)}  ${check.detail}`);
    if (check.fix !== undefined && check.status !== 'ok') lines.push(`${' '.repeat(width + 4)}fix: ${check.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export function verdictLine(result: PreflightResult): string {
  const failed = result.checks.filter((check) => check.status === 'fail');
  const warned = result.checks.filter((check) => check.status === 'warn').length;
  const warnings = warned === 0 ? '' : `${warned} warning${warned === 1 ? '' : 's'}`;
  if (failed.length > 0) {
    const names = failed.map((check) => check.title).join(', ');
    return `not ready: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (${names})${warnings ? `, ${warnings}` : ''}`;
  }
  return warnings ? `ready, with ${warnings}` : 'ready: every check passed';
}
