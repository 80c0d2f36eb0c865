// The dependency arrow, enforced: each folder under src/ may import only the folders listed.
// protocol <- engine <- drivers ; engine <- workload <- runner <- cli ; only runner imports drivers; executors merge with engine metrics.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ALLOWED = {
  protocol: [],
  engine: ['protocol'],
  datasets: ['protocol', 'engine'],
  drivers: ['protocol', 'engine', 'datasets'],
  workload: ['protocol', 'engine'],
  embedded: ['protocol'],
  runner: ['protocol', 'engine', 'drivers', 'workload', 'datasets'],
  executors: ['protocol', 'engine'],
  server: ['protocol', 'engine', 'workload', 'runner', 'executors', 'embedded', 'datasets'],
  cli: ['protocol', 'engine', 'workload', 'runner', 'embedded', 'executors', 'server', 'datasets'],
};
const root = resolve('src');
const problems = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (full.endsWith('.ts')) check(full);
  }
}

function check(file) {
  const from = relative(root, file).split(sep)[0];
  const allowed = ALLOWED[from];
  if (!allowed) {
    problems.push(`${relative('.', file)}: folder src/${from} has no entry in scripts/check-deps.mjs`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    const target = relative(root, resolve(dirname(file), m[1])).split(sep)[0];
    if (target === from || target.startsWith('..')) continue;
    if (!allowed.includes(target)) {
      problems.push(`${relative('.', file)}: src/${from} may not import src/${target} (${m[1]})`);
    }
  }
}

walk(root);
if (problems.length) {
  console.error(`dependency arrow broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency arrow: ok');
