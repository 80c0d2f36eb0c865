// Runs node:test over the given files with the spec reporter and ends with one line:
// 'N passed, N failed' (and the exit code of the run).
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const stream = run({ files, concurrency: Number(process.env.TEST_CONCURRENCY ?? 2), timeout: 10 * 60_000 });
stream.on('test:pass', (event) => {
  if (event.details?.type === 'suite') return;
  if (event.skip || event.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (event) => {
  if (event.details?.type === 'suite') return;
  failed++;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  const extra = skipped ? `, ${skipped} skipped` : '';
  console.log(`\n${passed} passed, ${failed} failed${extra}`);
  process.exitCode = failed > 0 ? 1 : 0;
});
