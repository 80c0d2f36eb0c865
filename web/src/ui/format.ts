/** Number and time formatting shared by tables, cards and charts. */

export function formatRate(opsPerSecond: number | null | undefined): string {
  if (opsPerSecond === null || opsPerSecond === undefined || !Number.isFinite(opsPerSecond)) return '–';
  if (opsPerSecond >= 100 || Number.isInteger(opsPerSecond))
    return Math.round(opsPerSecond).toLocaleString('en-US');
  return opsPerSecond.toFixed(1);
}

/** Milliseconds with three significant digits (0.123, 12.3, 1,234). */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 1000) return Math.round(ms).toLocaleString('en-US');
  return Number(ms.toPrecision(3)).toString();
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${Math.floor(fraction * 1000) / 10}%`;
}

/** 75 → "1m 15s"; 3725 → "1h 2m 5s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function secondsBetween(startIso: string | null, endIso: string | null, nowMs: number): number | null {
  if (!startIso) return null;
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : nowMs;
  return Number.isNaN(start) || Number.isNaN(end) ? null : (end - start) / 1000;
}

/** Run ids are `run-<date>-<random>`: the random part tells them apart on screen. */
export function shortId(id: string): string {
  if (id.length <= 12) return id;
  const last = id.slice(id.lastIndexOf('-') + 1);
  return last.length >= 6 ? last : id.slice(0, 8);
}
