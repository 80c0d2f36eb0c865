/** The end-of-run summary, printed as one table per phase plus threshold results. */
import type { PhaseSummary, RunSummary } from '../protocol/summary.js';
import { formatCount, formatMs, formatRate, table } from './format.js';

export function renderSummary(summary: RunSummary, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const out: string[] = [];
  for (const phase of summary.phases) {
    out.push('', paint(1, phaseHeadline(phase)));
    const rows = phase.ops.map((op) => [
      op.name,
      formatCount(op.count),
      op.errors === 0 ? '0' : `${formatCount(op.errors)}`,
      phase.durationSeconds > 0 ? formatRate(op.count / phase.durationSeconds) : '-',
      formatMs(op.latency.p50),
      formatMs(op.latency.p90),
      formatMs(op.latency.p99),
      formatMs(op.latency.p999),
      formatMs(op.latency.max),
      formatMs(op.latency.mean),
    ]);
    out.push(table(['op', 'count', 'errors', 'ops/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'], rows));
    for (const op of phase.ops) {
      for (const [cls, n] of Object.entries(op.errorsByClass)) {
        const sample = op.errorSamples[cls]?.[0];
        out.push(
          paint(
            33,
            `  ${op.name}: ${n} ${cls} error${n === 1 ? '' : 's'}${sample ? ` (e.g. ${sample})` : ''}`,
          ),
        );
      }
    }
    for (const t of phase.thresholds) out.push(`  ${t.ok ? paint(32, '✓') : paint(31, '✗')} ${t.message}`);
    if (phase.failure) out.push(paint(31, `  failed: ${phase.failure.message}`));
  }
  out.push('');
  const thresholds = summary.phases.flatMap((p) => p.thresholds);
  const failed = thresholds.filter((t) => !t.ok).length;
  if (summary.phases.some((p) => p.failure)) out.push(paint(31, 'run failed'));
  else if (thresholds.length === 0) out.push('no thresholds set');
  else if (failed === 0) out.push(paint(32, `all ${thresholds.length} thresholds held`));
  else out.push(paint(31, `${failed} of ${thresholds.length} thresholds failed`));
  return out.join('\n');
}

function phaseHeadline(phase: PhaseSummary): string {
  const parts = [`phase ${phase.name}`, `${phase.durationSeconds.toFixed(1)}s`];
  if (phase.model === 'open')
    parts.push(`rate ${formatRate(phase.rate.achieved)}/s of ${formatRate(phase.rate.target ?? 0)}/s target`);
  else parts.push(`${formatRate(phase.rate.achieved)} ops/s at concurrency ${phase.concurrency}`);
  if (phase.lateness) parts.push(`send lateness p99 ${formatMs(phase.lateness.p99)}`);
  if (phase.stoppedEarly) parts.push('stopped early');
  return parts.join(' · ');
}
