/**
 * The permissions the control plane needs in its own namespace, and nothing more: a Role, never a
 * ClusterRole. The Helm chart ships exactly these rules (docs/kubernetes.md has them as a table).
 */
import type { V1PolicyRule, V1Role } from '@kubernetes/client-node';

export const RUNNER_RBAC_RULES: readonly V1PolicyRule[] = [
  // Each phase is a Job: created (idempotently, by name), watched for completion, found again after
  // a control-plane restart, patched (suspend, ttl), deleted when a run is stopped or removed.
  {
    apiGroups: ['batch'],
    resources: ['jobs'],
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
  },
  // Runner pods: their status and exit codes tell why a phase ended; a stuck pod is deleted.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  // Streaming runner and nb5 logs to the UI.
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  // Scheduling and image-pull failures (FailedScheduling, ErrImagePull) are only visible as events.
  { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  // The per-run runner Secret (token and target credentials): created per run, patched with its
  // ownerReference to the Job, listed to clean up after runs whose Job is gone.
  {
    apiGroups: [''],
    resources: ['secrets'],
    verbs: ['create', 'get', 'delete', 'patch', 'list'],
  },
  // NoSQLBench workload YAML, mounted into nb5 pods; same lifecycle as the Secret.
  {
    apiGroups: [''],
    resources: ['configmaps'],
    verbs: ['create', 'get', 'delete', 'patch', 'list'],
  },
  // Several replicas: the active one holds the <release>-leader Lease (standbys wait on it).
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'create', 'update'],
  },
];

/** A Role holding RUNNER_RBAC_RULES (copies: callers may change the result freely). */
export function rbacRole(namespace: string, name: string): V1Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules: RUNNER_RBAC_RULES.map((rule) => ({
      apiGroups: [...(rule.apiGroups ?? [])],
      resources: [...(rule.resources ?? [])],
      verbs: [...rule.verbs],
    })),
  };
}
