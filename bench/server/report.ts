/** The Server section of bench/RESULTS.md: the table, the verdict, and replacing the section in place. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { MachineInfo } from './procfs.js';

export type ApiKind = 'list' | 'get' | 'patch';

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ServerBenchResult {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly runs: number;
  readonly subscribers: number;
  readonly subscriptions: number;
  readonly settleSeconds: number;
  readonly windowSeconds: number;
  readonly startAllSeconds: number;
  readonly api: Record<ApiKind, Percentiles & { readonly errors: number }>;
  /** Requests of each kind the server itself (fastify's elapsedTime) took over 100 ms, of how many. */
  readonly serverSlow: Record<ApiKind, { readonly count: number; readonly over: number }>;
  readonly eventLag: Percentiles;
  readonly snapshotsExpected: number;
  readonly runMessages: number;
  readonly subscribersClosedEarly: number;
  readonly eventsSent: number;
  readonly eventsDropped: number;
  readonly eventLoopLagP99Ms: number;
  readonly serverCpuPercent: number;
  readonly runnersCpuPercent: number;
  readonly serverRssStart: number;
  readonly serverRssEnd: number;
  readonly runnerProcesses: number;
  readonly runnersRss: number;
  readonly runnersPss: number;
  readonly clientCpuPercent: number;
  readonly runningAtEnd: number;
  stopAllSeconds: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Goals this bench checks; the verdict names each one missed. */
export const GOALS = { apiP99Ms: 100, eventLagP99Ms: 1000, snapshotsReceived: 0.95 } as const;

const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : '-');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function table(r: ServerBenchResult): string {
  const received = r.eventLag.count;
  const runners = Math.max(1, r.runnerProcesses);
  const rows: [string, string][] = [
    [
      'runs running (end of window)',
      `${r.runningAtEnd} of ${r.runs} (${r.runnerProcesses} runner processes)`,
    ],
    ['time to start all runs (batches of 10)', `${r.startAllSeconds.toFixed(1)} s`],
  ];
  for (const kind of ['list', 'get', 'patch'] as const) {
    const a = r.api[kind];
    rows.push([
      `API ${API_LABEL[kind]} p50 / p99 / max`,
      `${ms(a.p50)} / ${ms(a.p99)} / ${ms(a.max)} (${a.count} requests, ${a.errors} errors; ` +
        `${r.serverSlow[kind].over} of ${r.serverSlow[kind].count} > 100 ms by the server's clock)`,
    ]);
  }
  rows.push(
    [
      'event delivery lag p50 / p99 / max',
      `${ms(r.eventLag.p50)} / ${ms(r.eventLag.p99)} / ${ms(r.eventLag.max)}`,
    ],
    [
      'snapshots received',
      `${int(received)} of ${int(r.snapshotsExpected)} expected (${pct(received / r.snapshotsExpected)})`,
    ],
    ['`run` messages received (topic runs)', int(r.runMessages)],
    [
      'server: WebSocket messages sent / dropped',
      `${int(r.eventsSent)} / ${int(r.eventsDropped)}; ${r.subscribersClosedEarly} subscribers closed early`,
    ],
    ['server event-loop lag p99 (prom-client)', ms(r.eventLoopLagP99Ms)],
    ['server CPU (% of one vCPU)', `${r.serverCpuPercent.toFixed(1)}%`],
    ['server RSS start → end of window', `${mb(r.serverRssStart)} → ${mb(r.serverRssEnd)}`],
    [`runners CPU (all ${r.runnerProcesses}, % of one vCPU)`, `${r.runnersCpuPercent.toFixed(1)}%`],
    [
      'runners memory: PSS total (each) / RSS each',
      `${mb(r.runnersPss)} (${mb(r.runnersPss / runners)}) / ${mb(r.runnersRss / runners)}`,
    ],
    ['bench client CPU (API calls + 100 WebSockets)', `${r.clientCpuPercent.toFixed(1)}%`],
    [
      'time to stop all runs',
      r.stopAllSeconds === null ? 'not all stopped' : `${r.stopAllSeconds.toFixed(1)} s`,
    ],
  );
  return ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

const API_LABEL: Record<ApiKind, string> = {
  list: '`GET /runs?limit=100`',
  get: '`GET /runs/:id`',
  patch: '`PATCH /runs/:id {rate}`',
};
const pct = (f: number) => `${(f * 100).toFixed(1)}%`;

export function verdict(r: ServerBenchResult): string[] {
  const missed: string[] = [];
  if (r.runningAtEnd < r.runs) missed.push(`only ${r.runningAtEnd} of ${r.runs} runs were still running`);
  for (const kind of ['list', 'get', 'patch'] as const) {
    const a = r.api[kind];
    if (a.errors > 0) missed.push(`${kind}: ${a.errors} errors`);
    if (!(a.p99 <= GOALS.apiP99Ms)) missed.push(`${kind} p99 ${ms(a.p99)} > ${GOALS.apiP99Ms} ms`);
  }
  if (!(r.eventLag.p99 <= GOALS.eventLagP99Ms)) {
    missed.push(`event lag p99 ${ms(r.eventLag.p99)} > ${GOALS.eventLagP99Ms} ms`);
  }
  const share = r.eventLag.count / r.snapshotsExpected;
  if (share < GOALS.snapshotsReceived) missed.push(`only ${pct(share)} of the expected snapshots arrived`);
  if (missed.length === 0) {
    return [
      `PASS: ${r.runs} runs and ${r.subscribers} subscribers; API p99 ≤ ${GOALS.apiP99Ms} ms, ` +
        `event lag p99 ≤ ${GOALS.eventLagP99Ms} ms, ≥ ${pct(GOALS.snapshotsReceived)} of snapshots delivered, no errors.`,
    ];
  }
  return [`MISSED: ${missed.join('; ')}.`];
}

export function section(r: ServerBenchResult): string {
  const m = r.machine;
  return `## Server

\`npm run bench:server\` (\`bench/server/bench-server.ts\`). \`benchpilot serve\` (SQLite state, log
level warn) with ${r.runs} runs of \`bench-low\` at 5 ops/s each until stopped, one runner process each,
against a node:http target answering \`ok\` (its own process), started 10 at a time; ${r.subscribers}
WebSocket subscribers, each on \`runs\` and on one or two runs (${r.subscriptions} run subscriptions).
After ${r.settleSeconds} s to settle, a ${r.windowSeconds} s window: list, get and patch requests (rate 5 and 6
in turn) on a fixed schedule spread over the window, timed from the call to the last body byte;
event lag is receive time − the snapshot's \`t\` (the end of its interval), over all subscribers.
Client, server, target and runners share the machine. Goals (this bench's own): API p99 ≤
${GOALS.apiP99Ms} ms, event lag p99 ≤ ${GOALS.eventLagP99Ms} ms, ≥ ${pct(GOALS.snapshotsReceived)} of snapshots delivered.

**${r.date}**, ${m.vcpus} vCPUs \`${m.cpuModel}\`, ${m.memoryGb} GB, kernel ${m.kernel}, Node ${m.node.replace(/^v/, '')};
load average (1/5/15 min) at the end of the window ${m.loadAverage}.

${table(r)}

${verdict(r).join('\n')}
`;
}

/** Replaces the `## Server` section of the file (up to the next `## ` heading), or appends it. */
export function writeSection(path: string, text: string): void {
  const current = readFileSync(path, 'utf8');
  const start = current.search(/^## Server$/m);
  if (start < 0) {
    writeFileSync(path, `${current.trimEnd()}\n\n${text}`);
    return;
  }
  const rest = current.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? current.length : start + 1 + next;
  writeFileSync(path, `${current.slice(0, start)}${text}${next < 0 ? '' : `\n${current.slice(end)}`}`);
}
