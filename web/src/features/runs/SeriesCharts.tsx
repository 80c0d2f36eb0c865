/**
 * A run's per-second series as three uPlot charts: target vs achieved rate, p50/p99 latency and
 * errors per second — for all operations or one (the op selector).
 */
import { useId, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { SeriesPoint } from '../../../../src/protocol/api';
import { Chart, type ChartOptions, legendValue, PALETTE, WHOLE_INCREMENTS } from '../../ui/Chart';
import { formatDuration, formatMs, formatRate } from '../../ui/format';

const ALL = '';

export function opNames(points: readonly SeriesPoint[]): string[] {
  const names = new Set<string>();
  // Ops appear in every point that saw them; the last minute is plenty to list them.
  for (const point of points.slice(-60)) for (const name of Object.keys(point.ops)) names.add(name);
  return [...names].sort();
}

export function seriesData(points: readonly SeriesPoint[], op: string) {
  const x = points.map((p) => p.elapsed);
  if (op === ALL) {
    return {
      rate: [x, points.map((p) => p.targetRate), points.map((p) => p.achievedRate)] as uPlot.AlignedData,
      latency: [x, points.map((p) => p.p50), points.map((p) => p.p99)] as uPlot.AlignedData,
      errors: [x, points.map((p) => p.errors)] as uPlot.AlignedData,
    };
  }
  const of = (p: SeriesPoint) => p.ops[op];
  return {
    rate: [x, points.map((p) => of(p)?.count ?? null)] as uPlot.AlignedData,
    latency: [
      x,
      points.map((p) => of(p)?.p50 ?? null),
      points.map((p) => of(p)?.p99 ?? null),
    ] as uPlot.AlignedData,
    errors: [x, points.map((p) => of(p)?.errors ?? null)] as uPlot.AlignedData,
  };
}

function timeOptions(
  series: { label: string; unit: string; dash?: number[] }[],
  yFormat: (v: number) => string,
  wholeY = false,
): ChartOptions {
  return {
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { values: (_u, splits) => splits.map((s) => formatDuration(s)), incrs: WHOLE_INCREMENTS },
      {
        values: (_u, splits) => splits.map(yFormat),
        size: 60,
        ...(wholeY ? { incrs: WHOLE_INCREMENTS } : {}),
      },
    ],
    series: [
      { label: 'elapsed', value: legendValue(formatDuration) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        dash: s.dash,
        value: legendValue((v) => `${yFormat(v)} ${s.unit}`),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

export function SeriesCharts({ points }: { points: readonly SeriesPoint[] }) {
  const id = useId();
  const [op, setOp] = useState(ALL);
  const ops = useMemo(() => opNames(points), [points]);
  const data = useMemo(() => seriesData(points, op), [points, op]);
  const opts = useMemo(() => {
    const rate =
      op === ALL
        ? timeOptions(
            [
              { label: 'target rate', unit: 'ops/s', dash: [6, 4] },
              { label: 'achieved rate', unit: 'ops/s' },
            ],
            formatRate,
          )
        : timeOptions([{ label: `${op} rate`, unit: 'ops/s' }], formatRate);
    return {
      rate,
      latency: timeOptions(
        [
          { label: 'p50', unit: 'ms' },
          { label: 'p99', unit: 'ms' },
        ],
        formatMs,
      ),
      errors: timeOptions([{ label: 'errors', unit: '/s' }], (v) => String(Math.round(v)), true),
    };
  }, [op]);

  return (
    <section className="charts" aria-label="Live charts">
      <div className="charts-toolbar">
        <label htmlFor={`${id}-op`}>Operation</label>
        <select id={`${id}-op`} value={op} onChange={(e) => setOp(e.target.value)} data-testid="op-select">
          <option value={ALL}>all operations</option>
          {ops.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <span className="muted">{points.length} s of data</span>
      </div>
      <div className="chart-grid">
        <Chart
          title={op === ALL ? 'Throughput: target vs achieved (ops/s)' : `Throughput of ${op} (ops/s)`}
          options={opts.rate}
          data={data.rate}
          testId="chart-rate"
        />
        <Chart
          title="Latency p50 / p99 (ms)"
          options={opts.latency}
          data={data.latency}
          testId="chart-latency"
        />
        <Chart
          title="Errors per second"
          options={opts.errors}
          data={data.errors}
          height={160}
          testId="chart-errors"
        />
      </div>
    </section>
  );
}
