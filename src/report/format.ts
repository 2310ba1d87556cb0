/** Numbers, durations and times as a person reads them in a terminal. */

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatTokens(count: number): string {
  if (count < 1000) return String(Math.round(count));
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`;
  return `${(count / 1_000_000).toFixed(2)}M`;
}

/** pi reports 0 when it does not know a model's price: that reads as "-", not as free. */
export function formatCost(usd: number): string {
  if (usd <= 0) return '-';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** Local time, `2026-11-24 10:47:00`; `-` when unknown. */
export function formatTime(iso: string | null): string {
  const date = iso ? new Date(iso) : undefined;
  if (!date || Number.isNaN(date.getTime())) return '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Local time without the year, `11-24 10:47`, for dense tables. */
export function formatShortTime(iso: string | null): string {
  const full = formatTime(iso);
  return full === '-' ? full : full.slice(5, 16);
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '-';
}

/** One line of at most `max` characters (prose from the journal can hold newlines). */
export function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
