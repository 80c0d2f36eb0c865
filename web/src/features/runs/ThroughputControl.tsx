/** Changes a running run's rate (open model) or concurrency (closed model) with PATCH, live. */
import type { Run } from '../../../../src/protocol/api';
import type { RunPatch } from '../../api/hooks';
import { NumberSlider } from '../../ui/NumberSlider';

/** A slider range that leaves room to double the current value: 1, 2, 5 × 10ⁿ. */
export function sliderMax(value: number, floor: number): number {
  const want = Math.max(floor, value * 2);
  const magnitude = 10 ** Math.floor(Math.log10(want));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= want) ?? 10;
  return step * magnitude;
}

export function ThroughputControl({
  run,
  value,
  disabled,
  onPatch,
}: {
  run: Run;
  value: number;
  disabled: boolean;
  onPatch: (patch: RunPatch) => void;
}) {
  const open = run.model === 'open';
  return (
    <div className="throughput" data-testid="throughput">
      <NumberSlider
        label={open ? 'Target rate' : 'Concurrency'}
        unit={open ? 'ops/s' : 'loops'}
        value={value}
        min={1}
        max={sliderMax(value, open ? 100 : 16)}
        step={1}
        disabled={disabled}
        onCommit={(next) => onPatch(open ? { rate: next } : { concurrency: Math.round(next) })}
        testId="throughput"
      />
    </div>
  );
}
