import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  BenchpilotError,
  ERROR_CODES,
  type ErrorCode,
  EXIT_CODES,
  exitCodeFor,
  formatIssue,
  httpStatusFor,
} from './errors.js';

// dist/src/protocol/ -> the repository's docs/errors.md
const DOCS = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Table rows of docs/errors.md as cells, keyed by the first cell without backticks. */
function rows(): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const line of DOCS.split('\n')) {
    if (!line.startsWith('|') || line.startsWith('|---')) continue;
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    const key = cells[0]?.replaceAll('`', '') ?? '';
    assert.ok(!byKey.has(key), `docs/errors.md has two rows for ${key}`);
    byKey.set(key, cells);
  }
  return byKey;
}

test('every error code has a row in docs/errors.md, with its exit code and HTTP status', () => {
  const documented = rows();
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const row = documented.get(code);
    assert.ok(row, `${code} has no row in docs/errors.md`);
    assert.equal(row.length, 5, `${code}: expected | Code | Exit | HTTP | What it means | How to fix |`);
    assert.equal(row[1], String(exitCodeFor(code)), `${code}: exit code in docs/errors.md`);
    assert.equal(row[2], String(httpStatusFor(code)), `${code}: HTTP status in docs/errors.md`);
    assert.ok(
      (row[3] ?? '').length > 10 && (row[4] ?? '').length > 10,
      `${code}: say what it means and how to fix it`,
    );
  }
});

test('docs/errors.md documents no code that does not exist', () => {
  const stale = [...rows().keys()].filter((key) => key.startsWith('BP_') && !(key in ERROR_CODES));
  assert.deepEqual(stale, []);
});

test('every exit code has a row in docs/errors.md', () => {
  const documented = rows();
  for (const [name, value] of Object.entries(EXIT_CODES)) {
    const row = documented.get(String(value));
    assert.ok(row, `exit code ${value} has no row`);
    assert.equal(row[1], `\`${name}\``);
  }
});

test('formatIssue prints code, place, path and message', () => {
  const issue = {
    code: 'BP_SPEC_UNKNOWN_FIELD',
    file: 'workloads/x.yaml',
    line: 7,
    col: 5,
    path: 'phases[0].duraton',
    message: 'is not a field; did you mean duration?',
  } as const;
  assert.equal(
    formatIssue(issue),
    'BP_SPEC_UNKNOWN_FIELD: workloads/x.yaml:7:5 phases[0].duraton is not a field; did you mean duration?',
  );
  assert.equal(
    formatIssue({
      ...issue,
      code: 'BP_SPEC_BAD_OVERRIDE',
      file: '--set',
      line: 0,
      col: 0,
      path: 'a.b',
      message: 'm',
    }),
    'BP_SPEC_BAD_OVERRIDE: --set a.b m',
  );
  const error = new BenchpilotError('BP_SPEC_UNKNOWN_FIELD', 'x.yaml is not a valid workload (1 problem):', {
    issues: [issue],
  });
  assert.equal(error.exitCode, 2);
  assert.equal(error.describe(), `x.yaml is not a valid workload (1 problem):\n${formatIssue(issue)}`);
});
