/** Words for setup progress: a headline per target and a verb per phase. */
import type { Setup, Target } from '../../../../src/protocol/api';

const PHASE_VERBS: Record<string, string> = {
  drop: 'dropping old data',
  schema: 'creating the schema',
  rampup: 'ramping up',
  load: 'loading data',
  constraints: 'adding constraints',
  index: 'building indexes',
  warmup: 'warming up',
};

export function phaseVerb(phase: string): string {
  return PHASE_VERBS[phase] ?? `running ${phase}`;
}

export function targetHeadline(target: Target, setupsById: ReadonlyMap<string, Setup>): string {
  const readiness = target.readiness;
  if (!target.available) return `No "${target.driver}" driver in this build`;
  if (readiness.length === 0) return 'No workloads assigned';
  if (readiness.every((r) => r.ready)) return 'Ready for benchmarking';
  const running = readiness.find((r) => r.state === 'running');
  if (running) {
    const setup = running.setupId ? setupsById.get(running.setupId) : undefined;
    const phase = setup?.phases.find((p) => p.state === 'running');
    return `Setting up workloads for benchmarking — ${phase ? phaseVerb(phase.name) : 'starting'}`;
  }
  if (readiness.some((r) => r.state === 'failed')) return 'Setup failed';
  if (readiness.some((r) => r.state === 'pending')) return 'Setting up workloads for benchmarking — queued';
  return 'Not set up yet';
}
