/**
 * A number input and a slider for one value. Typing commits on Enter or when the input loses
 * focus; the slider commits once it has been still for a moment. Only commits call onCommit.
 */
import { useEffect, useId, useRef, useState } from 'react';

export function NumberSlider({
  label,
  value,
  min,
  max,
  step = 1,
  unit,
  disabled,
  onCommit,
  testId,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  unit?: string;
  disabled?: boolean;
  onCommit: (value: number) => void;
  testId?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(String(value));
  const editing = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The slider commits from a timer: read the props of the latest render, not of the drag's start.
  const latest = useRef({ value, min, onCommit });
  latest.current = { value, min, onCommit };

  // Follow the committed value unless the user is typing.
  useEffect(() => {
    if (!editing.current) setDraft(String(value));
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const commit = (text: string) => {
    clearTimeout(timer.current);
    editing.current = false;
    const current = latest.current;
    const next = Number(text);
    if (text.trim() === '' || !Number.isFinite(next) || next < current.min) {
      setDraft(String(current.value));
      return;
    }
    if (next !== current.value) current.onCommit(next);
  };

  const numeric = Number(draft);
  return (
    <div className="number-slider">
      <label htmlFor={`${id}-number`}>{label}</label>
      <div className="number-slider-row">
        <input
          id={`${id}-number`}
          type="number"
          inputMode="decimal"
          min={min}
          step={step}
          value={draft}
          disabled={disabled}
          data-testid={testId ? `${testId}-input` : undefined}
          onChange={(event) => {
            editing.current = true;
            setDraft(event.target.value);
          }}
          onBlur={() => editing.current && commit(draft)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              commit(draft);
            } else if (event.key === 'Escape') {
              editing.current = false;
              setDraft(String(value));
            }
          }}
        />
        {unit ? <span className="unit">{unit}</span> : null}
        <input
          type="range"
          aria-label={`${label} slider`}
          min={min}
          max={Math.max(max, Number.isFinite(numeric) ? numeric : 0)}
          step={step}
          value={Number.isFinite(numeric) ? numeric : min}
          disabled={disabled}
          data-testid={testId ? `${testId}-slider` : undefined}
          onChange={(event) => {
            const text = event.target.value;
            editing.current = true;
            setDraft(text);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => commit(text), 350);
          }}
        />
      </div>
    </div>
  );
}
