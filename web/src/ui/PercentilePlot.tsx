/**
 * Latency by percentile on a log scale of 1/(1-p): 90%, 99%, 99.9%… are equally spaced, so the
 * tail is as readable as the median. One line per entry; lines with different percentiles are
 * aligned with uPlot.join.
 */
import { useMemo } from 'react';
import uPlot from 'uplot';
import { Chart, type ChartOptions, PALETTE } from './Chart';
import { formatMs } from './format';

export interface PercentileLine {
  readonly label: string;
  readonly points: readonly { percentile: number; ms: number }[];
}

/** Percentiles may come as percents (99.9) or fractions (0.999); x = 1 / (1 - fraction). */
export function percentileToX(percentile: number, asFraction: boolean): number | null {
  const fraction = asFraction ? percentile : percentile / 100;
  if (!(fraction >= 0) || fraction >= 1) return null;
  return 1 / (1 - fraction);
}

export function xToPercentLabel(x: number): string {
  const percent = 100 - 100 / x;
  return `${Number(percent.toPrecision(6))}%`;
}

export function PercentilePlot({
  title,
  lines,
  testId,
}: {
  title: string;
  lines: readonly PercentileLine[];
  testId?: string;
}) {
  const data = useMemo(() => {
    const asFraction = lines.every((line) => line.points.every((p) => p.percentile <= 1));
    const tables: uPlot.AlignedData[] = lines.map((line) => {
      const pairs = line.points
        .map((p) => [percentileToX(p.percentile, asFraction), p.ms] as const)
        .filter((pair): pair is readonly [number, number] => pair[0] !== null)
        .sort((a, b) => a[0] - b[0]);
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    });
    if (tables.length === 0) return [[]] as uPlot.AlignedData;
    return tables.length === 1 ? tables[0]! : uPlot.join(tables);
  }, [lines]);

  const labelsKey = lines.map((line) => line.label).join('\n');
  const options = useMemo<ChartOptions>(
    () => ({
      scales: {
        x: { time: false, distr: 3, log: 10 },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        {
          label: 'percentile',
          // Grid and labels at 0%, 50%, 90%, 99%, 99.9%… only.
          splits: (_u, _axis, min, max) => percentileSplits(min, max),
          // uPlot hands `values` its splits rounded to the axis increment (2 becomes 0): label ours.
          values: (u) => percentileSplits(u.scales.x?.min ?? 1, u.scales.x?.max ?? 10).map(xToPercentLabel),
        },
        { label: 'ms', values: (_u, splits) => splits.map((v) => formatMs(v)), size: 60 },
      ],
      series: [
        // Lines end at different percentiles, so the legend shows values only under the pointer.
        { label: 'percentile', value: (_u, x) => (x == null ? '–' : xToPercentLabel(x)) },
        ...labelsKey.split('\n').map((label, i) => ({
          label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : `${formatMs(v)} ms`),
        })),
      ],
      legend: { live: true },
    }),
    [labelsKey],
  );
  return <Chart title={title} options={options} data={data} height={260} testId={testId} />;
}

/** x positions of 0%, 50%, 90%, 99%, … within the scale (x = 1 / (1 - p)). */
export function percentileSplits(min: number, max: number): number[] {
  const splits: number[] = [];
  for (const x of [1, 2]) if (x >= min && x <= max) splits.push(x);
  for (let x = 10; x <= max * 1.0001; x *= 10) if (x >= min) splits.push(x);
  return splits;
}
