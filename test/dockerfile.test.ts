/**
 * The image's Dockerfile (docs/deploy.md). No Docker engine here, so it is not built: it is linted
 * with BuildKit's own checks (scripts/dockerfile-lint.sh → tools/dockerfile-lint, the rules behind
 * `docker build --check`, experimental ones too) and the facts that matter are checked by reading it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'Dockerfile'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('dockerfile.test: cannot find the repo root (package.json + Dockerfile)');
}

const ROOT = findRepoRoot();
const LINT = join(ROOT, 'scripts', 'dockerfile-lint.sh');
// A cold build of the linter takes a minute or two (three on a busy machine).
const LINT_TIMEOUT = 15 * 60_000;

interface Finding {
  rule: string;
  line: number;
  message: string;
}
interface LintReport {
  file: string;
  findings: Finding[];
  buildError?: string;
  baseImages: string[];
}

/** Runs the linter with -json; resolves with its exit code and report (exit 1 = findings). */
async function lint(file: string): Promise<{ code: number; report: LintReport; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP('bash', [LINT, '-json', '-experimental', file], {
      cwd: ROOT,
      timeout: LINT_TIMEOUT,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, report: JSON.parse(stdout) as LintReport, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    if (e.code === 1 && e.stdout) return { code: 1, report: JSON.parse(e.stdout) as LintReport, stderr: '' };
    throw new Error(`scripts/dockerfile-lint.sh failed (exit ${e.code}): ${e.message}\n${e.stderr ?? ''}`);
  }
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  from: Instruction;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions (continuation lines joined, comments dropped) grouped by stage. */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      logical = logical.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(logical);
    if (m) instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const name = /\sAS\s+(\S+)\s*$/i.exec(ins.args)?.[1];
      stages.push({ from: ins, name, instructions: [] });
    } else if (stages.length === 0) preamble.push(ins);
    else stages.at(-1)!.instructions.push(ins);
  }
  return { preamble, stages };
}

const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const { preamble, stages } = parseDockerfile(dockerfileText);
const runtime = stages.at(-1)!;

describe('Dockerfile', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'benchpilot-dockerfile-test-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('BuildKit lint (docker build --check rules, experimental too): zero findings', {
    timeout: LINT_TIMEOUT,
  }, async () => {
    const { code, report } = await lint(join(ROOT, 'Dockerfile'));
    assert.deepEqual(
      report.findings.map((f) => `${f.line}: ${f.rule}: ${f.message}`),
      [],
      'lint findings in Dockerfile',
    );
    assert.equal(
      report.buildError,
      undefined,
      `BuildKit could not read the Dockerfile: ${report.buildError}`,
    );
    assert.equal(code, 0);
    // Every stage was resolved (as it would be by a build), from the pinned Node.js LTS base.
    assert.ok(report.baseImages.length >= 2, `base images: ${report.baseImages.join(', ')}`);
    for (const image of report.baseImages) assert.match(image, /^docker\.io\/library\/node:\d+-[a-z]+-slim/);
  });

  test('the linter really lints: a bad Dockerfile gets its findings and exit 1', {
    timeout: LINT_TIMEOUT,
  }, async () => {
    const bad = join(tmp, 'Dockerfile.bad');
    writeFileSync(
      bad,
      [
        'FROM node:24-bookworm-slim as Build',
        'ENV API_PASSWORD=hunter2',
        'COPY $SRC /app',
        'WORKDIR app',
        'CMD node /app/bin/benchpilot.js serve',
        '',
      ].join('\n'),
    );
    const { code, report } = await lint(bad);
    assert.equal(code, 1);
    const rules = new Set(report.findings.map((f) => `${f.rule}@${f.line}`));
    for (const expected of [
      'StageNameCasing@1',
      'FromAsCasing@1',
      'SecretsUsedInArgOrEnv@2',
      'UndefinedVar@3',
      'WorkdirRelativePath@4',
      'JSONArgsRecommended@5',
    ]) {
      assert.ok(rules.has(expected), `expected ${expected} in ${[...rules].join(', ')}`);
    }
  });

  test('no lint rule is skipped by a # check= directive', () => {
    const directive = /^#\s*check\s*=(.*)$/m.exec(dockerfileText)?.[1] ?? '';
    assert.doesNotMatch(directive, /skip\s*=/);
  });

  test('multi-stage, on a pinned Node.js LTS base (a version tag, never latest)', () => {
    assert.ok(stages.length >= 2, 'at least a build and a runtime stage');
    const arg = preamble.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    for (const stage of stages) {
      let image = stage.from.args.split(/\s+/)[0]!;
      if (image === '${NODE_IMAGE}' && arg) image = arg.args.slice('NODE_IMAGE='.length);
      const tag = /^node:(\d+)-/.exec(image)?.[1];
      assert.ok(tag, `stage ${stage.name}: ${image} is not node:<major>-…`);
      assert.equal(Number(tag) % 2, 0, `node:${tag} is not an LTS line (even major)`);
      assert.ok(Number(tag) >= 22, `node:${tag} is older than the LTS lines still supported`);
    }
  });

  test('runtime stage: non-root USER 10001, NODE_ENV=production, exec-form ENTRYPOINT and CMD', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    assert.ok(users.length > 0, 'the runtime stage sets USER');
    assert.match(users.at(-1)!.args, /^10001(:10001)?$/, 'the last USER is uid 10001 (the chart runAsUser)');
    const env = runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
    assert.ok(
      env.some((e) => /(^|\s)NODE_ENV=production(\s|$)/.test(e)),
      'ENV NODE_ENV=production',
    );
    const entrypoint = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    assert.ok(entrypoint, 'ENTRYPOINT');
    assert.deepEqual(JSON.parse(entrypoint.args), ['node', '/app/bin/benchpilot.js']);
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    assert.ok(cmd, 'CMD');
    assert.deepEqual(JSON.parse(cmd.args), ['serve']);
    assert.ok(
      !runtime.instructions.some((i) => i.keyword === 'HEALTHCHECK'),
      'no HEALTHCHECK (Kubernetes probes)',
    );
  });

  test('runtime stage: production dependencies only, and only the built app', () => {
    // Nothing is installed in the runtime stage itself.
    for (const ins of runtime.instructions.filter((i) => i.keyword === 'RUN')) {
      assert.doesNotMatch(
        ins.args,
        /\bnpm\s+(ci|install|i)\b/,
        `line ${ins.line}: npm install in the runtime stage`,
      );
    }
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY');
    const sources: string[] = [];
    for (const copy of copies) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      assert.ok(from, `line ${copy.line}: the runtime stage copies only from a build stage`);
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      sources.push(...parts.slice(0, -1));
      if (parts.some((p) => /node_modules/.test(p))) {
        // node_modules comes from a stage that dropped its devDependencies after installing them.
        const stage = stages.find((s) => s.name === from);
        assert.ok(stage, `line ${copy.line}: stage ${from} not found`);
        // Positions (RUN index, offset) of the last full install and the last devDependency drop.
        let lastInstall = -1;
        let lastDrop = -1;
        stage.instructions
          .filter((i) => i.keyword === 'RUN')
          .forEach((run, n) => {
            for (const m of run.args.matchAll(/\bnpm\s+(ci|install|i|prune)\b[^&;|]*/g)) {
              const at = n * 1e6 + (m.index ?? 0);
              const omitsDev = /--omit=dev|--production\b/.test(m[0]);
              if (omitsDev) lastDrop = at;
              else if (m[1] !== 'prune') lastInstall = at;
            }
          });
        assert.ok(lastDrop >= 0, `stage ${from} never drops the devDependencies (npm prune --omit=dev)`);
        assert.ok(lastDrop > lastInstall, `stage ${from} installs devDependencies again after dropping them`);
      }
    }
    const allowed = new Set([
      '/app/package.json',
      '/app/package-lock.json',
      '/app/node_modules',
      '/app/dist',
      '/app/bin',
      '/app/workloads',
      '/app/schemas',
      '/data',
    ]);
    for (const src of sources) assert.ok(allowed.has(src), `the runtime stage copies ${src}`);
    for (const needed of ['/app/node_modules', '/app/dist', '/app/bin', '/app/package.json']) {
      assert.ok(sources.includes(needed), `the runtime stage copies ${needed}`);
    }
  });

  test('the build stage builds what the runtime stage runs: tsc, the web UI, better-sqlite3', () => {
    const build = stages.find((s) => s.name === 'build');
    assert.ok(build, 'a stage named build');
    const runs = build.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    assert.match(runs, /\bnpm ci\b/);
    assert.match(runs, /\btsc -p tsconfig\.json\b/);
    assert.match(runs, /\bvite build --config web\/vite\.config\.ts\b/);
    // better-sqlite3 is native: its install script must run (npm ci --ignore-scripts skips it).
    if (/npm ci[^&;]*--ignore-scripts/.test(runs)) assert.match(runs, /npm rebuild better-sqlite3/);
    assert.match(runs, /\bg\+\+/, 'a compiler for the node-gyp fallback of better-sqlite3');
  });

  test('.dockerignore keeps node_modules, .git, dist and test-output out of the build context', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'dist', 'test-output']) {
      assert.ok(
        patterns.some((x) => x.replace(/^\/|\/$/g, '') === p),
        `.dockerignore excludes ${p}`,
      );
    }
    assert.ok(!patterns.some((x) => x.startsWith('!')), 'no exceptions re-include ignored files');
    // What the Dockerfile copies from the context is not ignored.
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))) {
        const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const src of parts.slice(0, -1)) {
          assert.ok(!patterns.includes(src), `line ${copy.line}: COPY ${src}, which .dockerignore excludes`);
          assert.ok(existsSync(join(ROOT, src)), `line ${copy.line}: COPY ${src}, which does not exist`);
        }
      }
    }
  });
});
