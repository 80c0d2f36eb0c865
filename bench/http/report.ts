/**
 * Tables for bench/http.sh, in Markdown.
 *   report closed closed.tsv            tool, median req/s, ratio to wrk and to autocannon
 *   report open a.json [b.json ...]     target vs achieved rate, p99 lateness of intended starts
 *   report rss rss.tsv run.json         VmRSS after warmup and at the end
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { RunSummary } from '../../src/protocol/summary.js';

const [mode, ...files] = process.argv.slice(2);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function closed(file: string): void {
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .map(([tool = '', round = '', rps = '0', cpu = '0']) => ({
      tool,
      round,
      rps: Number(rps),
      cpu: Number(cpu),
    }));
  const tools = [...new Set(rows.map((r) => r.tool))];
  const byTool = new Map(tools.map((t) => [t, rows.filter((r) => r.tool === t)]));
  const medianOf = (tool: string) => median((byTool.get(tool) ?? []).map((r) => r.rps));
  const wrk = medianOf('wrk');
  const autocannon = medianOf('autocannon');
  const sameRound = (tool: string) => {
    const ratios = (byTool.get(tool) ?? []).flatMap((r) => {
      const ac = rows.find((x) => x.tool === 'autocannon' && x.round === r.round);
      return ac && ac.rps > 0 ? [r.rps / ac.rps] : [];
    });
    return ratios.length ? `${median(ratios).toFixed(2)}x` : '-';
  };
  console.log(
    '| tool | req/s (median) | runs | vs wrk | vs autocannon | vs autocannon, same round (median) | client CPU s (median) |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const tool of tools) {
    const runs = byTool.get(tool)!;
    const rps = medianOf(tool);
    console.log(
      `| ${tool} | ${int(rps)} | ${runs.map((r) => int(r.rps)).join(' / ')} | ${ratio(rps, wrk)} | ${ratio(rps, autocannon)} | ${sameRound(tool)} | ${median(runs.map((r) => r.cpu)).toFixed(1)} |`,
    );
  }
}

function open(paths: string[]): void {
  console.log(
    '| run | target ops/s | achieved ops/s | achieved/target | lateness p50 / p99 / max | p99 latency | errors |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const path of paths) {
    let summary: RunSummary;
    try {
      summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
    } catch {
      console.log(`| ${basename(path, '.json')} | no summary (see the .txt next to it) | | | | | |`);
      continue;
    }
    const phase = summary.phases.at(-1)!;
    const target = phase.rate.target ?? 0;
    const late = phase.lateness;
    const errors = phase.ops.reduce((sum, op) => sum + op.errors, 0);
    const count = phase.ops.reduce((sum, op) => sum + op.count, 0);
    const p99 = Math.max(...phase.ops.map((op) => op.latency.p99));
    console.log(
      `| ${basename(path, '.json')} | ${int(target)} | ${int(phase.rate.achieved)} | ${((phase.rate.achieved / target) * 100).toFixed(2)}% | ${late ? `${late.p50.toFixed(2)} / ${late.p99.toFixed(2)} / ${late.max.toFixed(1)} ms` : '-'} | ${p99.toFixed(2)} ms | ${errors} of ${int(count)} |`,
    );
  }
}

function rss(samplesPath: string, summaryPath: string): void {
  const samples = readFileSync(samplesPath, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t').map(Number) as [number, number]);
  if (samples.length < 2) {
    console.log('not enough RSS samples');
    return;
  }
  // the baseline is taken once warmup and pool growth are over
  const baseline = samples.find(([t]) => t >= 30) ?? samples[1]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map(([, kb]) => kb));
  let achieved = '-';
  try {
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    const phase = summary.phases.at(-1)!;
    achieved = `${int(phase.rate.achieved)} of ${int(phase.rate.target ?? 0)} ops/s`;
  } catch {}
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(
    '| RSS at start (t=10s) | RSS after warmup (t=' +
      baseline[0] +
      's) | RSS at end (t=' +
      last[0] +
      's) | peak | growth after warmup | rate |',
  );
  console.log('|---:|---:|---:|---:|---:|---|');
  console.log(
    `| ${mb(samples[1]![1])} | ${mb(baseline[1])} | ${mb(last[1])} | ${mb(peak)} | ${(((last[1] - baseline[1]) / baseline[1]) * 100).toFixed(1)}% | ${achieved} |`,
  );
}

if (mode === 'closed') closed(files[0]!);
else if (mode === 'open') open(files);
else if (mode === 'rss') rss(files[0]!, files[1]!);
else {
  console.error('usage: report closed FILE | open FILE... | rss SAMPLES SUMMARY');
  process.exit(2);
}
