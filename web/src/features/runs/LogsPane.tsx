/** The run's log tail, streaming; Pause freezes the view (lines keep arriving underneath). */
import { useLayoutEffect, useRef, useState } from 'react';

export function LogsPane({ lines }: { lines: readonly string[] }) {
  // While paused, the lines as they were when Pause was pressed.
  const [frozen, setFrozen] = useState<readonly string[] | null>(null);
  const paused = frozen !== null;
  const shown = frozen ?? lines;
  const preRef = useRef<HTMLPreElement>(null);
  const stickToBottom = useRef(true);

  useLayoutEffect(() => {
    const pre = preRef.current;
    if (pre && stickToBottom.current && shown.length > 0) pre.scrollTop = pre.scrollHeight;
  }, [shown]);

  return (
    <section className="card logs" aria-labelledby="logs-title">
      <div className="card-head">
        <h2 id="logs-title">Logs</h2>
        <span className="muted">{lines.length} lines</span>
        <span className="spacer" />
        <button
          type="button"
          aria-pressed={paused}
          onClick={() => setFrozen(paused ? null : lines)}
          data-testid="logs-pause"
        >
          {paused ? 'Resume logs' : 'Pause logs'}
        </button>
      </div>
      <pre
        ref={preRef}
        className="log-lines"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling pane must take focus to be scrolled with the keyboard
        tabIndex={0}
        data-testid="logs"
        onScroll={(event) => {
          const pre = event.currentTarget;
          stickToBottom.current = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
        }}
      >
        {shown.length ? shown.join('\n') : 'No log lines yet.'}
      </pre>
    </section>
  );
}
