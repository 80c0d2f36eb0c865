/**
 * Threshold expressions: pass/fail checks on a phase's results, written in a workload as
 * `p99(read) < 20ms`, `errors < 1%`, `rate > 900`. Grammar (docs/workload.md#thresholds):
 *
 *   threshold  := metric [ '(' op ')' ] comparator number [ unit ]
 *   metric     := p50 | p90 | p95 | p99 | p999 | max | mean | min | errors | count | rate
 *   comparator := < | <= | > | >= | ==
 *   unit       := ms | s | us (latency; bare number = ms) | % (errors: ratio; bare = count) | /s (rate)
 *
 * Without `(op)` the metric covers every op of the phase.
 */

export const LATENCY_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
export const THRESHOLD_METRICS = [...LATENCY_METRICS, 'errors', 'count', 'rate'] as const;
export const COMPARATORS = ['<=', '>=', '==', '<', '>'] as const;

export type LatencyMetric = (typeof LATENCY_METRICS)[number];
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];
export type Comparator = (typeof COMPARATORS)[number];
/** The unit `value` is expressed in (and the unit of the measured value it is compared with). */
export type ThresholdUnit = 'ms' | '%' | 'count' | 'ops/s';

export interface ParsedThreshold {
  /** The expression as written (trimmed). */
  readonly expression: string;
  readonly metric: ThresholdMetric;
  /** Op name, or null for all ops of the phase. */
  readonly op: string | null;
  readonly comparator: Comparator;
  /** The limit, normalised to `unit`: latency in ms, error ratio in percent. */
  readonly value: number;
  readonly unit: ThresholdUnit;
}

const EXPRESSION = /^([A-Za-z0-9]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*(<=|>=|==|<|>|=)?\s*(.*)$/;
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zµ%/]*)$/i;
const OP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LATENCY_UNIT_MS: Record<string, number> = { '': 1, ms: 1, s: 1000, us: 0.001, µs: 0.001 };
const EXAMPLES = '"p99(read) < 20ms", "errors < 1%", "rate > 900"';

export function isLatencyMetric(metric: ThresholdMetric): metric is LatencyMetric {
  return (LATENCY_METRICS as readonly string[]).includes(metric);
}

/** Parses one threshold; `error` says what was expected, in a user's words. */
export function parseThreshold(text: string): ParsedThreshold | { error: string } {
  const expression = text.trim();
  if (expression === '') return { error: `expected a threshold such as ${EXAMPLES}, got an empty string` };
  const match = EXPRESSION.exec(expression);
  if (!match) return { error: `expected metric comparator value, such as ${EXAMPLES}` };
  const [, metricWritten = '', opText, comparatorText, valueText = ''] = match;
  const metricText = metricWritten.toLowerCase();
  if (!(THRESHOLD_METRICS as readonly string[]).includes(metricText)) {
    return { error: `${metricText} is not a metric: expected one of ${THRESHOLD_METRICS.join(', ')}` };
  }
  const metric = metricText as ThresholdMetric;
  let op: string | null = null;
  if (opText !== undefined) {
    if (!OP_NAME.test(opText)) return { error: `expected an op name inside ${metric}( ), got '${opText}'` };
    op = opText;
  }
  if (comparatorText === undefined) {
    return { error: `expected a comparator (<, <=, >, >=, ==) after ${metric}${op ? `(${op})` : ''}` };
  }
  if (comparatorText === '=') return { error: 'expected == (not =) to compare for equality' };
  const comparator = comparatorText as Comparator;
  const number = NUMBER_WITH_UNIT.exec(valueText.trim());
  if (!number) return { error: `expected a number after ${comparator}, got '${valueText.trim()}'` };
  const amount = Number(number[1]);
  const unitText = (number[2] ?? '').toLowerCase();
  const unit = normaliseUnit(metric, unitText);
  if ('error' in unit) return unit;
  if (unit.unit === '%' && (amount < 0 || amount > 100)) {
    return { error: `expected a percentage between 0% and 100%, got ${amount}%` };
  }
  if (amount < 0) return { error: `expected a limit >= 0, got ${amount}` };
  return { expression, metric, op, comparator, value: amount * unit.factor, unit: unit.unit };
}

function normaliseUnit(
  metric: ThresholdMetric,
  unitText: string,
): { unit: ThresholdUnit; factor: number } | { error: string } {
  if (isLatencyMetric(metric)) {
    const factor = LATENCY_UNIT_MS[unitText];
    if (factor === undefined) {
      return { error: `${metric} is a latency: expected a unit of ms, s or us, got '${unitText}'` };
    }
    return { unit: 'ms', factor };
  }
  if (metric === 'errors') {
    if (unitText === '%') return { unit: '%', factor: 1 };
    if (unitText === '') return { unit: 'count', factor: 1 };
    return {
      error: `errors is a ratio (errors < 1%) or a count (errors < 10): expected % or no unit, got '${unitText}'`,
    };
  }
  if (metric === 'rate') {
    if (unitText === '' || unitText === '/s') return { unit: 'ops/s', factor: 1 };
    return { error: `rate is operations per second: expected a number (or /s), got '${unitText}'` };
  }
  if (unitText === '') return { unit: 'count', factor: 1 };
  return { error: `count is a number of operations: expected no unit, got '${unitText}'` };
}

/** Formats a value in the threshold's unit for messages: `12.5ms`, `0.8%`, `950 ops/s`. */
export function formatThresholdValue(value: number, unit: ThresholdUnit): string {
  const rounded = Number(value.toFixed(3));
  switch (unit) {
    case 'ms':
      return `${rounded}ms`;
    case '%':
      return `${rounded}%`;
    case 'ops/s':
      return `${rounded} ops/s`;
    case 'count':
      return `${rounded}`;
  }
}

export function compare(actual: number, comparator: Comparator, limit: number): boolean {
  switch (comparator) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
  }
}
