/**
 * Test helper for the helm binaries built from source by scripts/helm/build.sh (docs/helm-tools.md).
 *
 * ensureHelm(): helm v3, helm v4 and helm-unittest — from HELM3 / HELM4 / HELM_UNITTEST (which
 * scripts/test.sh exports) when all three are set and executable, else by running
 * scripts/helm/build.sh (a cold build takes minutes; cached in ~/.cache/benchpilot/helm). Throws at
 * once with BENCHPILOT_HELM_ERROR when scripts/test.sh could not build them.
 */
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface HelmTools {
  /** helm v3 (scripts/helm/build.sh: HELM3=…). */
  helm3: string;
  /** helm v4 (HELM4=…). */
  helm4: string;
  /** helm-unittest, the standalone binary (HELM_UNITTEST=…): `helm-unittest [flags] CHART_DIR`. */
  helmUnittest: string;
}

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'helm', 'build.sh')))
      return dir;
    dir = dirname(dir);
  }
  throw new Error('test/helpers/helm: cannot find the repo root (package.json + scripts/helm/build.sh)');
}

async function executable(path: string | undefined): Promise<boolean> {
  if (!path) return false;
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let ensured: Promise<HelmTools> | undefined;

/**
 * helm v3, helm v4 and helm-unittest, built from upstream sources (scripts/helm/build.sh).
 * Memoized per process; a failure is not memoized. Sets process.env.HELM3 / HELM4 / HELM_UNITTEST.
 */
export function ensureHelm(): Promise<HelmTools> {
  ensured ??= ensureHelmOnce().catch((err: unknown) => {
    ensured = undefined;
    throw err;
  });
  return ensured;
}

/** Parses the `HELM3=` / `HELM4=` / `HELM_UNITTEST=` lines that end scripts/helm/build.sh's output. */
export function parseHelmBuildOutput(stdout: string): HelmTools | undefined {
  const found: Partial<HelmTools> = {};
  for (const line of stdout.trim().split('\n').slice(-3)) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (eq <= 0 || !value) continue;
    if (key === 'HELM3') found.helm3 = value;
    else if (key === 'HELM4') found.helm4 = value;
    else if (key === 'HELM_UNITTEST') found.helmUnittest = value;
  }
  return found.helm3 && found.helm4 && found.helmUnittest ? (found as HelmTools) : undefined;
}

async function ensureHelmOnce(): Promise<HelmTools> {
  // scripts/test.sh sets this when its build failed: fail at once instead of building again.
  if (process.env.BENCHPILOT_HELM_ERROR) throw new Error(process.env.BENCHPILOT_HELM_ERROR);
  const { HELM3: helm3, HELM4: helm4, HELM_UNITTEST: helmUnittest } = process.env;
  if (
    helm3 &&
    helm4 &&
    helmUnittest &&
    (await executable(helm3)) &&
    (await executable(helm4)) &&
    (await executable(helmUnittest))
  ) {
    return { helm3, helm4, helmUnittest };
  }
  const root = findRepoRoot();
  let stdout: string;
  try {
    ({ stdout } = await execFileP('bash', [join(root, 'scripts', 'helm', 'build.sh')], {
      cwd: root,
      timeout: 40 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`scripts/helm/build.sh failed: ${e.message}\n${tail}`);
  }
  const tools = parseHelmBuildOutput(stdout);
  if (!tools) {
    const last = stdout.trim().split('\n').slice(-5).join('\n');
    throw new Error(`scripts/helm/build.sh did not end with HELM3=… HELM4=… HELM_UNITTEST=…:\n${last}`);
  }
  process.env.HELM3 = tools.helm3;
  process.env.HELM4 = tools.helm4;
  process.env.HELM_UNITTEST = tools.helmUnittest;
  return tools;
}
