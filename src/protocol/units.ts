/** Durations in workload files and on the command line: `500ms`, `30s`, `5m`, `1h30m`, or a number of seconds. */
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Returns seconds, or undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  let seconds = 0;
  let index = 0;
  DURATION_PART.lastIndex = 0;
  while (index < trimmed.length) {
    DURATION_PART.lastIndex = index;
    const match = DURATION_PART.exec(trimmed);
    if (!match) return undefined;
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    index = DURATION_PART.lastIndex;
  }
  return index === 0 ? undefined : seconds;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 120) return `${Number(seconds.toFixed(1))}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}
