/** Numbers and times as the page shows them. */

export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function tokens(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(2)}M`;
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  return value.toLocaleString('en-US');
}

export function dollars(value: number): string {
  return `$${value.toFixed(value >= 1 ? 2 : 4)}`;
}

export function since(at: string | null | undefined, now: number): number {
  const start = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(start) ? 0 : Math.max(0, now - start);
}

export function clock(at: string | null | undefined): string {
  if (!at) return '';
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '';
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}
