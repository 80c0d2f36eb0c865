/**
 * Text helpers shared by the report renderers: HTML escaping, RFC 4180 CSV cells and the
 * number/time formats people read. Pure and locale-independent, so a report renders the
 * same on every machine.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values (SVG text included). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** A number cell: empty for null/NaN/±Infinity, otherwise rounded to 3 decimals without float noise. */
export function csvNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return String(Math.round(value * 1000) / 1000);
}

/**
 * A text cell, RFC 4180: quoted when it holds a comma, quote, CR or LF (quotes doubled).
 * Text that a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading `'`,
 * because op names and error messages come from user files and targets.
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 lines end in CRLF. */
export function csvLines(rows: readonly (readonly string[])[]): string {
  return rows.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A number with `digits` decimals and thousands separators; '–' when absent. */
export function fmtNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const fixed = Math.abs(value).toFixed(digits);
  const [intPart = '0', frac] = fixed.split('.');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return sign + group(intPart) + (frac ? `.${frac}` : '');
}

/** Milliseconds with about 3 significant digits (0.123, 1.23, 12.3, 1,234). */
export function fmtMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs === 0 ? 0 : abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return fmtNumber(value, digits);
}

/** Operations per second: one decimal below 100/s, whole numbers above. */
export function fmtRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return fmtNumber(value, Math.abs(value) < 100 ? 1 : 0);
}

/** Seconds as `45.2 s`, `12m 05s`, `2h 03m 10s`. */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${fmtNumber(seconds, seconds < 10 ? 2 : 1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** An ISO timestamp as `2026-11-26 13:40:00 UTC`; other text is returned as is. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Seconds between two ISO timestamps, or null when either is missing. */
export function secondsBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? null : (b - a) / 1000;
}

/** A percentile as people write it: 50, 99.9, 99.999 (no float noise). */
export function fmtPercentile(p: number): string {
  return String(Math.round(p * 1e6) / 1e6);
}

/** A share in percent: `0`, `<0.01`, `0.35`, `12.50` (no `%` sign). */
export function fmtPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  if (value > 0 && value < 0.01) return '<0.01';
  return fmtNumber(value, 2);
}

/** Content types for serving the exports. */
export const REPORT_CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
} as const;

/** A download file name (`benchpilot-<run id>-report.html`), safe in a Content-Disposition header. */
export function reportFileName(
  runId: string,
  what: 'report.html' | 'series.csv' | 'summary.csv' | 'compare.html',
): string {
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'run';
  return `benchpilot-${safe}-${what}`;
}
