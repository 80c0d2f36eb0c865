/** A run, setup or phase state as a coloured badge (the word is always shown, not only the colour). */
const TONES: Record<string, string> = {
  queued: 'neutral',
  pending: 'neutral',
  none: 'neutral',
  starting: 'info',
  running: 'info',
  stopping: 'warn',
  succeeded: 'ok',
  ready: 'ok',
  failed: 'bad',
  stopped: 'neutral',
  paused: 'warn',
};

export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  return (
    <span className={`badge badge-${TONES[state] ?? 'neutral'}`} data-testid={testId} data-state={state}>
      {state}
    </span>
  );
}
