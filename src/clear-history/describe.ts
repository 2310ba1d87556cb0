/** How clear-history describes its plan and its result. */
import path from 'node:path';
import type { ClearPlan, PlannedTarget } from './plan.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function displayPath(repoRoot: string, target: PlannedTarget): string {
  const relative = path.relative(repoRoot, target.path) || '.';
  return target.judgement.kind === 'remove' && target.judgement.type === 'directory' ? `${relative}/` : relative;
}

function fieldsOf(target: PlannedTarget): string {
  const [first, ...rest] = target.fields;
  if (rest.length === 0) return first ?? '';
  if (rest.length <= 2) return target.fields.join(', ');
  return `${first} (and the ${rest.length} other harness paths inside it)`;
}

function sizeOf(target: PlannedTarget): string {
  if (target.judgement.kind === 'remove' && target.judgement.type === 'symlink')
    return 'symlink (its target is left alone)';
  return `${target.files} file${target.files === 1 ? '' : 's'}, ${formatBytes(target.bytes)}`;
}

export function targetLines(repoRoot: string, targets: readonly PlannedTarget[]): string[] {
  const rows = targets.map((target) => [displayPath(repoRoot, target), sizeOf(target), fieldsOf(target)] as const);
  const widths = [0, 1].map((index) => Math.max(...rows.map((row) => row[index]!.length)));
  return rows.map(([file, size, fields]) => `  ${file.padEnd(widths[0]!)}  ${size.padEnd(widths[1]!)}  ${fields}`);
}

export function refusalLines(repoRoot: string, targets: readonly PlannedTarget[]): string[] {
  return targets.map(
    (target) =>
      `  ${displayPath(repoRoot, target)} (${target.fields.join(', ')}): ${target.judgement.kind === 'refused' ? target.judgement.reason : ''}`,
  );
}

export function keptRefsLine(plan: ClearPlan): string | undefined {
  if (plan.refsError) return `  refs under refs/pi-harness/ could not be listed (${plan.refsError})`;
  if (plan.refs.length === 0) return undefined;
  const rescue = plan.refs.filter((ref) => ref.startsWith('refs/pi-harness/rescue/')).length;
  return `  ${plan.refs.length} ref(s) under refs/pi-harness/ (${rescue} rescue ref(s): work of failed iterations) — add --refs to remove them too`;
}
