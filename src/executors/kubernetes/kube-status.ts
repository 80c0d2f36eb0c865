/**
 * Job and pod state in plain words: what a user reads in the run's log when a pod cannot start
 * or ends badly, and the exit record a pod's end stands for when its runner could not send one.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import { RUNNER_CONTAINER, runnerExitMeaning } from './manifests.js';

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** A problem that keeps a pod from running, or null. Stable text, so it is reported once. */
export function podProblem(pod: V1Pod): string | null {
  const name = pod.metadata?.name ?? 'pod';
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return `pod ${name} cannot be scheduled: ${scheduled.message ?? 'no node fits'} (check runner.resources, nodeSelector and tolerations)`;
  }
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
      return `pod ${name}: image ${status.image} cannot be pulled (${waiting.reason}): ${waiting.message ?? ''}`.trim();
    }
    if (waiting?.reason === 'CreateContainerConfigError' || waiting?.reason === 'CreateContainerError') {
      return `pod ${name}: the container cannot be created (${waiting.reason}): ${waiting.message ?? ''}`.trim();
    }
  }
  if (pod.status?.reason === 'Evicted') return `pod ${name} was evicted: ${pod.status.message ?? ''}`.trim();
  return null;
}

export interface PodEnd {
  /** The runner's exit as its container reported it (0 and 3 carry a verdict), or null. */
  exit: RunnerExitRecord | null;
  reason: string;
}

/** When the pod has ended (Succeeded/Failed): what that says about its runner. */
export function podEnd(pod: V1Pod): PodEnd | null {
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return null;
  const name = pod.metadata?.name ?? 'pod';
  const status =
    pod.status?.containerStatuses?.find((s) => s.name === RUNNER_CONTAINER) ??
    pod.status?.containerStatuses?.[0];
  const terminated = status?.state?.terminated;
  if (terminated?.reason === 'OOMKilled') {
    const limit = pod.spec?.containers?.[0]?.resources?.limits?.memory;
    return {
      exit: null,
      reason: `pod ${name} was OOMKilled: the runner exceeded its memory limit${limit ? ` (${limit})` : ''}; raise runner.resources.limits.memory or lower the load per pod`,
    };
  }
  if (!terminated) {
    return {
      exit: null,
      reason:
        `pod ${name} ended (${phase}) without a container exit code: ${pod.status?.reason ?? ''} ${pod.status?.message ?? ''}`.trim(),
    };
  }
  const code = terminated.exitCode;
  const timeMs = Date.now();
  if (code === 0) return { exit: { v: 1, type: 'exit', timeMs, code: 0, error: null }, reason: 'exit 0' };
  if (code === 3) {
    const message = `thresholds failed (pod ${name}; its exit record did not arrive, see its log)`;
    return {
      exit: { v: 1, type: 'exit', timeMs, code: 3, error: { code: 'BP_THRESHOLDS_FAILED', message } },
      reason: message,
    };
  }
  return {
    exit: null,
    reason: `pod ${name} ended with exit code ${code} (${runnerExitMeaning(code)}) without reporting to the control plane; see its log`,
  };
}

/** A Job that failed as a whole (deadline, backoff, pod failure policy), in plain words. */
export function jobFailure(job: V1Job): string | null {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return null;
  const name = job.metadata?.name ?? 'job';
  switch (failed.reason) {
    case 'DeadlineExceeded':
      return `Job ${name} ran longer than its deadline (activeDeadlineSeconds ${job.spec?.activeDeadlineSeconds ?? '?'}) and was stopped; raise executor.kubernetes.setupDeadlineSeconds if the phase needs longer`;
    case 'BackoffLimitExceeded':
      return `Job ${name} failed: its pods failed ${job.status?.failed ?? '?'} time(s) (backoffLimit ${job.spec?.backoffLimit ?? 0})`;
    default:
      return `Job ${name} failed (${failed.reason ?? 'unknown reason'}): ${failed.message ?? ''}`.trim();
  }
}

export function jobSucceeded(job: V1Job): boolean {
  return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
}

export function completionIndexOf(pod: V1Pod): number {
  const text = pod.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
  const index = text === undefined ? 0 : Number(text);
  return Number.isInteger(index) && index >= 0 ? index : 0;
}

/** The exact phase name the pod runs (labels hold a sanitized copy). */
export function phaseOf(pod: V1Pod): string | undefined {
  return pod.spec?.containers?.[0]?.env?.find((e) => e.name === 'BENCHPILOT_PHASE')?.value;
}
