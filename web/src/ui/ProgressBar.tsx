/** A labelled progress bar; without a fraction it shows an indeterminate stripe. */
export type ProgressTone = 'running' | 'succeeded' | 'failed' | 'pending';

export function ProgressBar({
  fraction,
  label,
  tone = 'running',
}: {
  fraction: number | null;
  label: string;
  tone?: ProgressTone;
}) {
  const percent = fraction === null ? null : Math.max(0, Math.min(100, fraction * 100));
  return (
    <div
      className={`progress progress-${tone}${percent === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent === null ? undefined : Math.round(percent)}
    >
      <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
    </div>
  );
}
