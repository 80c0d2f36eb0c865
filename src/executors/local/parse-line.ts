/**
 * One line of events.jsonl → a RunEvent, the runner's exit record, or a line to skip.
 * Versioning (docs/runner-protocol.md): unknown fields are ignored, unknown types are skipped,
 * a `v` other than 1 is a protocol this executor does not speak.
 */
import type { RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';

export type ParsedLine =
  | { readonly kind: 'event'; readonly event: RunEvent }
  | { readonly kind: 'exit'; readonly exit: RunnerExitRecord }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'broken'; readonly why: string };

const EVENT_TYPES: ReadonlySet<string> = new Set<RunEvent['type']>([
  'run-start',
  'phase-start',
  'snapshot',
  'control',
  'phase-end',
  'run-end',
  'log',
]);

export function parseEventLine(text: string): ParsedLine {
  if (text.trim() === '') return { kind: 'unknown' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'broken', why: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'broken', why: 'not a JSON object' };
  }
  const line = value as { v?: unknown; type?: unknown };
  if (line.v !== 1) return { kind: 'broken', why: `protocol version ${JSON.stringify(line.v)} is not 1` };
  if (line.type === 'exit') return parseExit(value as Record<string, unknown>);
  if (typeof line.type === 'string' && EVENT_TYPES.has(line.type)) {
    return { kind: 'event', event: value as RunEvent };
  }
  return { kind: 'unknown' };
}

function parseExit(value: Record<string, unknown>): ParsedLine {
  const code = value['code'];
  if (typeof code !== 'number' || !Number.isInteger(code))
    return { kind: 'broken', why: 'exit record without a code' };
  const error = value['error'];
  const errorOk =
    error === null ||
    error === undefined ||
    (typeof error === 'object' &&
      typeof (error as Record<string, unknown>)['code'] === 'string' &&
      typeof (error as Record<string, unknown>)['message'] === 'string');
  if (!errorOk) return { kind: 'broken', why: 'exit record with a malformed error' };
  const timeMs = typeof value['timeMs'] === 'number' ? value['timeMs'] : Date.now();
  const err = error as { code: string; message: string } | null | undefined;
  return {
    kind: 'exit',
    exit: { v: 1, type: 'exit', timeMs, code, error: err ? { code: err.code, message: err.message } : null },
  };
}
