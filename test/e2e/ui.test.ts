// The web UI end to end: the real `benchpilot serve` (embedded PostgreSQL demo target, autoSetup)
// driven by a real Chromium through playwright-core. Screenshots of each screen go to
// test-output/e2e/. Any browser console error fails the test.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Run } from '../../src/protocol/api.js';

// Compiled to dist/test/e2e/: the repo root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'benchpilot.js');
const OUT = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TARGET = 'demo-postgres';
const WORKLOAD = 'sql-ecommerce';
const TERMINAL = ['succeeded', 'failed', 'stopped'];

let dataDir = '';
let server: ChildProcess | undefined;
let serverOutput = '';
let baseUrl = '';
let token = '';
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
const consoleErrors: string[] = [];
let runId = '';

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function startServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    server = child;
    const timer = setTimeout(
      () =>
        reject(new Error(`benchpilot serve did not print its URL and token within 90 s:\n${serverOutput}`)),
      90_000,
    );
    const onData = (chunk: Buffer) => {
      serverOutput += chunk.toString('utf8');
      const url = /benchpilot listening at (http:\/\/\S+)/.exec(serverOutput)?.[1];
      const operatorToken = /operator token \(shown once\): (\S+)/.exec(serverOutput)?.[1];
      if (url && operatorToken) {
        clearTimeout(timer);
        baseUrl = url;
        token = operatorToken;
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      serverOutput += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`benchpilot serve exited with ${code} before it was ready:\n${serverOutput}`));
    });
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function screenshot(name: string): Promise<void> {
  // `animations: 'disabled'` finishes CSS transitions (progress bars) before the picture is taken.
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** A number a page element carries in data-value (the live stat tiles). */
async function statValue(testId: string): Promise<number | undefined> {
  const raw = await page.getByTestId(testId).getAttribute('data-value', { timeout: 2_000 });
  return raw === null || raw === '' ? undefined : Number(raw);
}

/** Screenshots the page in a phone-sized window and checks it does not scroll sideways. */
async function checkNarrow(name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.waitForTimeout(300); // charts resize on the next animation frame
    await screenshot(name);
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px at 390px wide`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
}

/**
 * Waits until the page's live achieved rate is within [low, high] and returns it. The rate is
 * read from the page (one value per second); a failure names the values seen last.
 */
async function waitForAchievedRate(
  what: string,
  low: number,
  high: number,
  timeoutMs: number,
): Promise<number> {
  const seen: (number | undefined)[] = [];
  try {
    return await waitFor(what, timeoutMs, async () => {
      const rate = await statValue('live-achieved-rate');
      if (seen.at(-1) !== rate) seen.push(rate);
      return rate !== undefined && rate >= low && rate <= high ? rate : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; achieved rates seen last: ${seen.slice(-10).join(', ')}`);
  }
}

function assertNoConsoleErrors(): void {
  assert.deepEqual(consoleErrors, [], `browser console errors:\n${consoleErrors.join('\n')}`);
}

describe('web UI end to end (benchpilot serve + Chromium)', { timeout: 8 * 60_000 }, () => {
  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: install it with apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
    assert.ok(
      existsSync(join(ROOT, 'dist', 'web', 'index.html')),
      'dist/web is not built: npx vite build --config web/vite.config.ts',
    );
    await mkdir(OUT, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'bp-e2e-ui-'));
    await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error')
        consoleErrors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    // Runs outlive a server restart by design: stop whatever this test left running.
    if (baseUrl && server?.exitCode === null) {
      const runs = await api<Run[]>('GET', '/runs?limit=50').catch(() => [] as Run[]);
      for (const run of runs) {
        if (!TERMINAL.includes(run.state)) {
          await api('POST', `/runs/${run.id}/stop`).catch(() => {});
        }
      }
      await waitFor('left-over runs to end', 20_000, async () => {
        const left = await api<Run[]>('GET', '/runs?limit=50');
        return left.every((run) => TERMINAL.includes(run.state));
      }).catch(() => {});
    }
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('login: a token is checked with /me and the dashboard opens', async () => {
    await page.goto(baseUrl);
    await page.getByTestId('login-form').waitFor();
    await screenshot('login');
    await page.getByLabel('Token').fill(token);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('dashboard').waitFor();
    assert.match((await page.getByTestId('whoami').textContent()) ?? '', /operator/);
    await waitFor(
      'the live socket to open',
      10_000,
      async () => (await page.getByTestId('ws-status').getAttribute('data-status')) === 'open',
    );
    assertNoConsoleErrors();
  });

  test('dashboard: the demo target sets itself up and becomes ready', async () => {
    const card = page.locator(`[data-testid="target-card"][data-target="${TARGET}"]`);
    await card.waitFor({ timeout: 30_000 });
    const readiness = card.locator(`[data-testid="readiness"][data-workload="${WORKLOAD}"]`);
    if ((await readiness.getAttribute('data-ready')) !== 'true') {
      // Still setting up: show the phase bars while they move.
      await card
        .locator('[data-testid="setup-phase"]')
        .first()
        .waitFor({ timeout: 30_000 })
        .catch(() => {});
      await screenshot('dashboard-setup');
    }
    await card
      .locator(`[data-testid="readiness"][data-workload="${WORKLOAD}"][data-ready="true"]`)
      .waitFor({ timeout: 180_000 });
    await card.getByTestId('target-ready').waitFor();
    assert.equal(await card.getByTestId('target-headline').textContent(), 'Ready for benchmarking');
    const phases = card.locator('[data-testid="setup-phase"]');
    assert.ok((await phases.count()) >= 3, 'setup phases are listed');
    for (const state of await phases.evaluateAll((els) => els.map((el) => el.getAttribute('data-state')))) {
      assert.equal(state, 'succeeded');
    }
    await screenshot('dashboard');
    await checkNarrow('dashboard-narrow');
    assertNoConsoleErrors();
  });

  test('run control: start at 100 ops/s, steer to 300 and see the achieved rate follow', async () => {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('start-form').waitFor();
    await page.getByTestId('start-target').selectOption(TARGET);
    await page.getByTestId('start-workload').selectOption(WORKLOAD);
    await page.getByTestId('start-model-rate').check();
    // The form starts from the workload's own rate; set 100 and check it held.
    await page.getByTestId('start-rate').fill('100');
    assert.equal(await page.getByTestId('start-rate').inputValue(), '100');
    await page.getByTestId('start-duration').fill('');
    await page.getByTestId('start-submit').click();

    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 15_000 });
    runId = (await page.getByTestId('run-page').getAttribute('data-run-id')) ?? '';
    assert.match(runId, /\S/);
    await waitFor(
      'the run to be running',
      60_000,
      async () => (await page.getByTestId('run-state').getAttribute('data-state')) === 'running',
    );
    await waitForAchievedRate('an achieved rate near 100 ops/s', 70, 130, 30_000);

    const input = page.getByTestId('throughput-input');
    await input.fill('300');
    await input.press('Enter');
    await waitFor(
      'the target rate to show 300',
      10_000,
      async () => (await statValue('live-target-rate')) === 300,
    );
    // Within 15% of the new target, in seconds (30 s is the bound for a busy CI machine).
    await waitForAchievedRate('the achieved rate to follow to ~300 ops/s', 255, 345, 30_000);
    assert.equal(
      await page.locator('[data-testid="chart-rate"] canvas').count(),
      1,
      'the rate chart is drawn',
    );
    await waitFor(
      'log lines',
      10_000,
      async () => !((await page.getByTestId('logs').textContent()) ?? '').startsWith('No log lines'),
    );
    await screenshot('run-live');
    await checkNarrow('run-live-narrow');
    assertNoConsoleErrors();
  });

  test('pause and resume: the achieved rate drops to zero and comes back', async () => {
    await page.getByTestId('run-pause').click();
    await page.getByTestId('run-paused').waitFor();
    await waitForAchievedRate('the achieved rate to drop while paused', 0, 30, 15_000);
    await page.getByTestId('run-pause').click();
    await page.getByTestId('run-paused').waitFor({ state: 'detached' });
    await waitForAchievedRate('the achieved rate to recover after resume', 255, 345, 30_000);
    assertNoConsoleErrors();
  });

  test('stop: the run ends and keeps its results', async () => {
    await page.getByTestId('run-stop').click();
    // A stopped run whose thresholds failed ends `failed`; any end state keeps its results.
    const state = await waitFor('the run to end', 45_000, async () => {
      const text = (await page.getByTestId('run-state').getAttribute('data-state')) ?? '';
      return TERMINAL.includes(text) ? text : undefined;
    });
    assert.ok(state);
    await page.getByTestId('summary-table').first().waitFor({ timeout: 20_000 });
    assertNoConsoleErrors();
  });

  test('history: the run is listed; its page has summary, percentiles and an HTML report', async () => {
    await page.getByTestId('nav-history').click();
    const row = page.locator(`[data-testid="run-row"][data-key="${runId}"]`);
    await row.waitFor();
    await screenshot('history');
    await row.getByTestId('run-link').click();
    await page.waitForURL(new RegExp(`/runs/${runId}$`));
    await page.getByTestId('summary-table').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="percentile-plot"] canvas').waitFor();
    assert.ok((await page.locator('[data-testid="summary-table"] tbody tr').count()) >= 1, 'per-op rows');
    await screenshot('run-page');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-html').click(),
    ]);
    const file = await download.path();
    const html = await readFile(file, 'utf8');
    assert.ok(html.length > 1000, `the report has content (${html.length} bytes)`);
    assert.match(html, /<html/i);
    assert.match(html, /<svg/i, 'the report draws its plots inline as SVG');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="https?:/i, 'the report is self-contained');
    assertNoConsoleErrors();
  });

  test('compare: two runs side by side with overlaid percentile curves', async () => {
    // A second, short run through the API to compare against.
    const second = await api<Run>('POST', '/runs', {
      target: TARGET,
      workload: WORKLOAD,
      rate: 200,
      durationSeconds: 4,
    });
    await waitFor('the second run to finish', 90_000, async () => {
      const run = await api<Run>('GET', `/runs/${second.id}`);
      return TERMINAL.includes(run.state) ? run : undefined;
    });
    await page.getByTestId('nav-history').click();
    for (const id of [runId, second.id]) {
      const row = page.locator(`[data-testid="run-row"][data-key="${id}"]`);
      await row.waitFor();
      await row.getByTestId('run-select').check();
    }
    await page.getByTestId('compare-button').click();
    await page.getByTestId('compare-table').waitFor();
    await page.locator('[data-testid="compare-plot"] canvas').waitFor();
    const headers = await page.locator('[data-testid="compare-table"] thead th').count();
    assert.equal(headers, 3, 'a label column and one column per run');
    await screenshot('compare');
    assertNoConsoleErrors();
  });
});
