import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  V1ContainerState,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
} from '@kubernetes/client-node';
import { completionIndexOf, jobFailure, jobSucceeded, phaseOf, podEnd, podProblem } from './kube-status.js';

const IMAGE = 'ghcr.io/benchpilot/benchpilot:0.1.0';
const POD = 'bp-r42-main-0-x7k2p';

function containerStatus(state: V1ContainerState, name = 'runner'): V1ContainerStatus {
  return { name, image: IMAGE, imageID: '', ready: false, restartCount: 0, state };
}

function pod(
  opts: {
    phase?: string;
    conditions?: NonNullable<V1Pod['status']>['conditions'];
    statuses?: V1ContainerStatus[];
    reason?: string;
    message?: string;
    memoryLimit?: string;
    annotations?: Record<string, string>;
    env?: { name: string; value?: string }[];
  } = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: POD,
      namespace: 'benchpilot',
      labels: { 'app.kubernetes.io/name': 'benchpilot', 'batch.kubernetes.io/job-name': 'bp-r42-main-0' },
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'runner',
          image: IMAGE,
          args: ['runner', '--connect'],
          env: opts.env ?? [
            { name: 'BENCHPILOT_RUN_ID', value: 'r42' },
            { name: 'BENCHPILOT_PHASE', value: 'main' },
          ],
          resources: {
            requests: { cpu: '500m', memory: '256Mi' },
            ...(opts.memoryLimit ? { limits: { memory: opts.memoryLimit } } : {}),
          },
        },
      ],
    },
    status: {
      phase: opts.phase ?? 'Pending',
      ...(opts.conditions ? { conditions: opts.conditions } : {}),
      ...(opts.statuses ? { containerStatuses: opts.statuses } : {}),
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.message ? { message: opts.message } : {}),
    },
  };
}

const terminated = (exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error'): V1ContainerStatus =>
  containerStatus({ terminated: { exitCode, reason } });

function job(
  conditions: V1JobCondition[],
  spec: Partial<NonNullable<V1Job['spec']>> = {},
  failed?: number,
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'bp-r42-rampup-0', namespace: 'benchpilot' },
    spec: { template: { spec: { containers: [{ name: 'runner', image: IMAGE }] } }, ...spec },
    status: { conditions, ...(failed === undefined ? {} : { failed }) },
  };
}

// ---- podProblem ------------------------------------------------------------------------------

test('podProblem: Unschedulable names the pod and quotes the scheduler', () => {
  const message = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.';
  const problem = podProblem(
    pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] }),
  );
  assert.equal(
    problem,
    `pod ${POD} cannot be scheduled: ${message} (check runner.resources, nodeSelector and tolerations)`,
  );
  assert.match(problem!, /cannot be scheduled/);

  const noMessage = podProblem(
    pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }),
  );
  assert.match(noMessage!, /cannot be scheduled: no node fits/);
});

test('podProblem: a pod scheduled or still being scheduled has no problem', () => {
  assert.equal(podProblem(pod({ conditions: [{ type: 'PodScheduled', status: 'True' }] })), null);
  assert.equal(
    podProblem(pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulerError' }] })),
    null,
  );
  assert.equal(podProblem(pod()), null);
  assert.equal(
    podProblem(
      pod({ phase: 'Pending', statuses: [containerStatus({ waiting: { reason: 'ContainerCreating' } })] }),
    ),
    null,
  );
  assert.equal(
    podProblem(
      pod({ phase: 'Running', statuses: [containerStatus({ running: { startedAt: new Date() } })] }),
    ),
    null,
  );
});

test('podProblem: ImagePullBackOff and ErrImagePull name the image', () => {
  const backOff = podProblem(
    pod({
      statuses: [
        containerStatus({
          waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` },
        }),
      ],
    }),
  );
  assert.equal(
    backOff,
    `pod ${POD}: image ${IMAGE} cannot be pulled (ImagePullBackOff): Back-off pulling image "${IMAGE}"`,
  );

  const pull = podProblem(pod({ statuses: [containerStatus({ waiting: { reason: 'ErrImagePull' } })] }));
  assert.equal(pull, `pod ${POD}: image ${IMAGE} cannot be pulled (ErrImagePull):`);
  assert.ok(pull!.includes(IMAGE));

  const invalid = podProblem(
    pod({ statuses: [containerStatus({ waiting: { reason: 'InvalidImageName' } })] }),
  );
  assert.match(invalid!, /InvalidImageName/);
});

test('podProblem: CreateContainerConfigError (a missing Secret) is reported with its message', () => {
  const message = 'secret "bp-r42-runner" not found';
  assert.equal(
    podProblem(
      pod({ statuses: [containerStatus({ waiting: { reason: 'CreateContainerConfigError', message } })] }),
    ),
    `pod ${POD}: the container cannot be created (CreateContainerConfigError): ${message}`,
  );
  assert.equal(
    podProblem(pod({ statuses: [containerStatus({ waiting: { reason: 'CreateContainerError' } })] })),
    `pod ${POD}: the container cannot be created (CreateContainerError):`,
  );
});

test('podProblem: Evicted', () => {
  const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 52Mi.';
  assert.equal(
    podProblem(pod({ phase: 'Failed', reason: 'Evicted', message })),
    `pod ${POD} was evicted: ${message}`,
  );
  assert.equal(podProblem(pod({ phase: 'Failed', reason: 'Evicted' })), `pod ${POD} was evicted:`);
});

// ---- podEnd ----------------------------------------------------------------------------------

test('podEnd: a pod still pending or running has not ended', () => {
  assert.equal(podEnd(pod({ phase: 'Pending' })), null);
  assert.equal(
    podEnd(pod({ phase: 'Running', statuses: [containerStatus({ running: { startedAt: new Date() } })] })),
    null,
  );
  assert.equal(podEnd(pod({ phase: 'Unknown' })), null);
});

test('podEnd: Succeeded with exit 0 is an exit record with code 0', () => {
  const before = Date.now();
  const end = podEnd(pod({ phase: 'Succeeded', statuses: [terminated(0)] }));
  assert.equal(end!.reason, 'exit 0');
  assert.equal(end!.exit!.v, 1);
  assert.equal(end!.exit!.type, 'exit');
  assert.equal(end!.exit!.code, 0);
  assert.equal(end!.exit!.error, null);
  assert.ok(end!.exit!.timeMs >= before && end!.exit!.timeMs <= Date.now());
});

test('podEnd: Failed with exit 3 is an exit record with code 3 BP_THRESHOLDS_FAILED', () => {
  const end = podEnd(pod({ phase: 'Failed', statuses: [terminated(3)] }));
  const message = `thresholds failed (pod ${POD}; its exit record did not arrive, see its log)`;
  assert.equal(end!.exit!.code, 3);
  assert.deepEqual(end!.exit!.error, { code: 'BP_THRESHOLDS_FAILED', message });
  assert.equal(end!.reason, message);
});

test('podEnd: Failed with exit 2 has no exit record; the reason names code 2 and what it means', () => {
  const end = podEnd(pod({ phase: 'Failed', statuses: [terminated(2)] }));
  assert.deepEqual(end, {
    exit: null,
    reason: `pod ${POD} ended with exit code 2 (the phase could not run (bad workload, unreachable target, failed phase)) without reporting to the control plane; see its log`,
  });
  const crashed = podEnd(pod({ phase: 'Failed', statuses: [terminated(137)] }));
  assert.equal(crashed!.exit, null);
  assert.match(crashed!.reason, /exit code 137 \(killed or crashed \(exit code 137; 137 = SIGKILL/);
});

test('podEnd: OOMKilled has no exit record; the reason mentions OOMKilled and the memory limit', () => {
  const end = podEnd(
    pod({ phase: 'Failed', memoryLimit: '512Mi', statuses: [terminated(137, 'OOMKilled')] }),
  );
  assert.deepEqual(end, {
    exit: null,
    reason: `pod ${POD} was OOMKilled: the runner exceeded its memory limit (512Mi); raise runner.resources.limits.memory or lower the load per pod`,
  });
  const noLimit = podEnd(pod({ phase: 'Failed', statuses: [terminated(137, 'OOMKilled')] }));
  assert.equal(noLimit!.exit, null);
  assert.match(noLimit!.reason, /OOMKilled: the runner exceeded its memory limit; raise/);
});

test('podEnd: the runner container is read even when it is not the first status', () => {
  const end = podEnd(
    pod({
      phase: 'Failed',
      statuses: [{ ...terminated(0), name: 'istio-proxy' }, terminated(3)],
    }),
  );
  assert.equal(end!.exit!.code, 3);
});

test('podEnd: a pod that ended without a container exit code', () => {
  const end = podEnd(
    pod({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    }),
  );
  assert.deepEqual(end, {
    exit: null,
    reason: `pod ${POD} ended (Failed) without a container exit code: DeadlineExceeded Pod was active on the node longer than the specified deadline`,
  });
});

// ---- jobFailure / jobSucceeded ----------------------------------------------------------------

test('jobFailure: DeadlineExceeded mentions the activeDeadlineSeconds value', () => {
  const failure = jobFailure(
    job(
      [
        {
          type: 'Failed',
          status: 'True',
          reason: 'DeadlineExceeded',
          message: 'Job was active longer than specified deadline',
        },
      ],
      { activeDeadlineSeconds: 1800 },
    ),
  );
  assert.equal(
    failure,
    'Job bp-r42-rampup-0 ran longer than its deadline (activeDeadlineSeconds 1800) and was stopped; raise executor.kubernetes.setupDeadlineSeconds if the phase needs longer',
  );
  assert.match(
    jobFailure(job([{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }]))!,
    /activeDeadlineSeconds \?/,
  );
});

test('jobFailure: BackoffLimitExceeded counts the failed pods and the backoff limit', () => {
  assert.equal(
    jobFailure(
      job(
        [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
        { backoffLimit: 2 },
        3,
      ),
    ),
    'Job bp-r42-rampup-0 failed: its pods failed 3 time(s) (backoffLimit 2)',
  );
  assert.equal(
    jobFailure(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }])),
    'Job bp-r42-rampup-0 failed: its pods failed ? time(s) (backoffLimit 0)',
  );
});

test('jobFailure: PodFailurePolicy passes the message on', () => {
  const message =
    'Container runner for pod benchpilot/bp-r42-rampup-0-abcde failed with exit code 2 matching FailJob rule at index 0';
  assert.equal(
    jobFailure(job([{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message }])),
    `Job bp-r42-rampup-0 failed (PodFailurePolicy): ${message}`,
  );
  assert.equal(
    jobFailure(job([{ type: 'Failed', status: 'True' }])),
    'Job bp-r42-rampup-0 failed (unknown reason):',
  );
});

test('jobFailure / jobSucceeded: only conditions with status True count', () => {
  const running = job([]);
  assert.equal(jobFailure(running), null);
  assert.equal(jobSucceeded(running), false);
  assert.equal(jobFailure(job([{ type: 'Failed', status: 'False', reason: 'DeadlineExceeded' }])), null);
  assert.equal(jobFailure({ metadata: { name: 'x' } }), null);

  const complete = job([
    { type: 'SuccessCriteriaMet', status: 'True' },
    { type: 'Complete', status: 'True' },
  ]);
  assert.equal(jobSucceeded(complete), true);
  assert.equal(jobFailure(complete), null);
  assert.equal(jobSucceeded(job([{ type: 'Complete', status: 'False' }])), false);
  assert.equal(
    jobSucceeded(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }])),
    false,
  );
  assert.equal(jobSucceeded({}), false);
});

// ---- completionIndexOf / phaseOf ---------------------------------------------------------------

test('completionIndexOf reads the job-completion-index annotation (default 0, garbage 0)', () => {
  const at = (value: string) =>
    completionIndexOf(pod({ annotations: { 'batch.kubernetes.io/job-completion-index': value } }));
  assert.equal(at('2'), 2);
  assert.equal(at('0'), 0);
  assert.equal(at('17'), 17);
  assert.equal(completionIndexOf(pod()), 0);
  assert.equal(completionIndexOf({}), 0);
  assert.equal(at('abc'), 0);
  assert.equal(at('-1'), 0);
  assert.equal(at('1.5'), 0);
  assert.equal(at('Infinity'), 0);
  assert.equal(at(''), 0);
});

test('phaseOf reads BENCHPILOT_PHASE of the first container', () => {
  assert.equal(phaseOf(pod()), 'main');
  assert.equal(
    phaseOf(pod({ env: [{ name: 'BENCHPILOT_PHASE', value: 'Load Data (rampup)' }] })),
    'Load Data (rampup)',
  );
  assert.equal(phaseOf(pod({ env: [{ name: 'BENCHPILOT_RUN_ID', value: 'r42' }] })), undefined);
  assert.equal(phaseOf({}), undefined);
  const sidecarFirst = pod();
  sidecarFirst.spec!.containers.unshift({
    name: 'istio-proxy',
    env: [{ name: 'BENCHPILOT_PHASE', value: 'other' }],
  });
  assert.equal(phaseOf(sidecarFirst), 'other');
});
