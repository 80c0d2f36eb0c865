/** A uPlot chart that follows its container's width and takes new data without being rebuilt. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export function Chart({
  title,
  options,
  data,
  height = 220,
  testId,
}: {
  title: string;
  /** Rebuilds the plot when its identity changes: memoize it. */
  options: ChartOptions;
  data: uPlot.AlignedData;
  height?: number;
  testId?: string;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const plot = new uPlot(
      { ...options, width: Math.max(200, container.clientWidth), height },
      dataRef.current,
      container,
    );
    plotRef.current = plot;
    let frame = 0;
    // Resize on the next frame so the plot's own size change never feeds back into this observer.
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const width = Math.max(200, container.clientWidth);
        if (width !== plot.width) plot.setSize({ width, height });
      });
    });
    observer.observe(container);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    plotRef.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={containerRef} className="chart-plot" role="img" aria-label={title} />
    </figure>
  );
}

/**
 * A legend value formatter: the value under the cursor, or the latest value when the cursor is
 * not on the plot (so the legend doubles as a live readout).
 */
export function legendValue(format: (v: number) => string) {
  return (u: uPlot, v: number | null, seriesIndex: number, index: number | null): string => {
    let value = v;
    if (index === null) {
      const column = u.data[seriesIndex] ?? [];
      for (let i = column.length - 1; i >= 0 && (value === null || value === undefined); i--)
        value = column[i] ?? null;
    }
    return value === null || value === undefined ? '–' : format(value);
  };
}

/** Steps for axes of whole seconds and whole counts (no 0.5 s or half an error). */
export const WHOLE_INCREMENTS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400,
];

/** Series colours (canvas cannot read CSS variables cheaply); readable on white, distinct in greyscale. */
export const PALETTE = [
  '#2457d6',
  '#d9480f',
  '#2b8a3e',
  '#862e9c',
  '#c2255c',
  '#1098ad',
  '#5c940d',
  '#495057',
];
