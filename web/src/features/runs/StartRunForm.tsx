/**
 * Start a benchmark: target, workload (only a ready target+workload unless "force"), rate or
 * concurrency, duration (empty = until stopped) and parallelism. Receives its data; the caller
 * submits.
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import type { RunStart, Target, Workload } from '../../../../src/protocol/api';
import { ErrorBox } from '../../ui/ErrorBox';

interface WorkloadChoice {
  readonly name: string;
  readonly ready: boolean;
  readonly state: string;
}

export function workloadChoices(
  target: Target | undefined,
  workloads: readonly Workload[],
): WorkloadChoice[] {
  if (!target) return [];
  if (target.readiness.length > 0) {
    return target.readiness.map((r) => ({ name: r.workload, ready: r.ready, state: r.state }));
  }
  return workloads
    .filter((w) => w.driver === target.driver)
    .map((w) => ({ name: w.name, ready: false, state: 'none' }));
}

export function StartRunForm({
  targets,
  workloads,
  disabled,
  pending,
  error,
  onStart,
  initialTarget = '',
  initialWorkload = '',
}: {
  initialTarget?: string;
  initialWorkload?: string;
  targets: readonly Target[];
  workloads: readonly Workload[];
  disabled: boolean;
  pending: boolean;
  error: unknown;
  onStart: (body: RunStart) => void;
}) {
  const id = useId();
  const [targetName, setTargetName] = useState(initialTarget);
  const [workloadName, setWorkloadName] = useState(initialWorkload);
  const [model, setModel] = useState<'rate' | 'concurrency'>('rate');
  const [rate, setRate] = useState('100');
  const [concurrency, setConcurrency] = useState('8');
  const [duration, setDuration] = useState('');
  const [parallelism, setParallelism] = useState('1');
  const [force, setForce] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // Default to the first target with a ready workload, then its first ready workload.
  const target = targets.find((t) => t.name === targetName);
  useEffect(() => {
    if (target || targets.length === 0) return;
    const preferred = targets.find((t) => t.readiness.some((r) => r.ready)) ?? targets[0]!;
    setTargetName(preferred.name);
  }, [target, targets]);
  const choices = useMemo(() => workloadChoices(target, workloads), [target, workloads]);
  const choice = choices.find((c) => c.name === workloadName);
  useEffect(() => {
    if (choice || choices.length === 0) return;
    setWorkloadName((choices.find((c) => c.ready) ?? choices[0]!).name);
  }, [choice, choices]);

  // The workload's own load (its benchmark phase's rate or concurrency) is the starting point.
  const workload = workloads.find((w) => w.name === workloadName);
  useEffect(() => {
    const benchmark = workload?.phases.findLast((p) => p.kind === 'benchmark');
    if (benchmark?.rate) {
      setModel('rate');
      setRate(String(benchmark.rate));
    } else if (benchmark?.concurrency) {
      setModel('concurrency');
      setConcurrency(String(benchmark.concurrency));
    }
  }, [workload]);

  const runnable = choice !== undefined && (choice.ready || force);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (!target || !choice) return setProblem('Choose a target and a workload.');
    const body: RunStart = { target: target.name, workload: choice.name, force };
    const loadValue = Number(model === 'rate' ? rate : concurrency);
    if (!(loadValue > 0))
      return setProblem(`${model === 'rate' ? 'Rate' : 'Concurrency'} must be a positive number.`);
    if (model === 'rate') body.rate = loadValue;
    else if (!Number.isInteger(loadValue)) return setProblem('Concurrency must be a whole number.');
    else body.concurrency = loadValue;
    if (duration.trim() !== '') {
      const seconds = Number(duration);
      if (!(seconds > 0))
        return setProblem('Duration must be a positive number of seconds, or empty to run until stopped.');
      body.durationSeconds = seconds;
    }
    const workers = Number(parallelism);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64)
      return setProblem('Parallelism is a whole number from 1 to 64.');
    body.parallelism = workers;
    onStart(body);
  };

  return (
    <form
      className="card form"
      onSubmit={submit}
      data-testid="start-form"
      aria-labelledby={`${id}-title`}
      noValidate
    >
      <h2 id={`${id}-title`}>Start a benchmark</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-target`}>Target</label>
          <select
            id={`${id}-target`}
            value={targetName}
            onChange={(e) => setTargetName(e.target.value)}
            data-testid="start-target"
          >
            {targets.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
                {t.readiness.some((r) => r.ready) ? '' : ' (not ready)'}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-workload`}>Workload</label>
          <select
            id={`${id}-workload`}
            value={workloadName}
            onChange={(e) => setWorkloadName(e.target.value)}
            data-testid="start-workload"
          >
            {choices.map((c) => (
              <option key={c.name} value={c.name} disabled={!c.ready && !force}>
                {c.name}
                {c.ready ? ' (ready)' : ` (setup: ${c.state})`}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field model">
          <legend>Load</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-model`}
              checked={model === 'rate'}
              onChange={() => setModel('rate')}
              data-testid="start-model-rate"
            />
            Rate (open model)
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-model`}
              checked={model === 'concurrency'}
              onChange={() => setModel('concurrency')}
              data-testid="start-model-concurrency"
            />
            Concurrency (closed model)
          </label>
        </fieldset>
        {model === 'rate' ? (
          <div className="field">
            <label htmlFor={`${id}-rate`}>Rate (ops/s)</label>
            <input
              id={`${id}-rate`}
              type="number"
              min={0}
              step="any"
              value={rate}
              onChange={(e) => setRate(e.target.value)}
              data-testid="start-rate"
            />
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-concurrency`}>Concurrency (loops)</label>
            <input
              id={`${id}-concurrency`}
              type="number"
              min={1}
              step={1}
              value={concurrency}
              onChange={(e) => setConcurrency(e.target.value)}
              data-testid="start-concurrency"
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-duration`}>Duration (s)</label>
          <input
            id={`${id}-duration`}
            type="number"
            min={0}
            step="any"
            placeholder="until stopped"
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            aria-describedby={`${id}-duration-help`}
            data-testid="start-duration"
          />
          <span id={`${id}-duration-help`} className="help">
            Empty runs until you stop it.
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-parallelism`}>Parallelism</label>
          <input
            id={`${id}-parallelism`}
            type="number"
            min={1}
            max={64}
            step={1}
            value={parallelism}
            onChange={(e) => setParallelism(e.target.value)}
            aria-describedby={`${id}-parallelism-help`}
            data-testid="start-parallelism"
          />
          <span id={`${id}-parallelism-help`} className="help">
            Worker threads (local) or pods (Kubernetes).
          </span>
        </div>
      </div>
      <label className="inline">
        <input
          type="checkbox"
          checked={force}
          onChange={(e) => setForce(e.target.checked)}
          data-testid="start-force"
        />
        Force: start even if the target's setup has not succeeded
      </label>
      {choice && !choice.ready && !force ? (
        <p className="help" data-testid="start-not-ready">
          {choice.name} is not set up on {targetName} yet ({choice.state}). Set it up on the dashboard, or
          tick Force.
        </p>
      ) : null}
      {problem ? (
        <p className="error-box" role="alert">
          {problem}
        </p>
      ) : null}
      <ErrorBox error={error} title="Could not start the run" />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={disabled || pending || !runnable}
          data-testid="start-submit"
        >
          {pending ? 'Starting…' : 'Start run'}
        </button>
      </div>
    </form>
  );
}
