/**
 * Server configuration: one home for defaults; flags, environment and the optional config file
 * (`--config benchpilot.yaml`, same keys as the Helm chart's values) are mapped into it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { KubernetesExecutorConfig } from '../executors/kubernetes/kubernetes-executor.js';
import { BenchpilotError } from '../protocol/errors.js';
import { redactUrl } from './state/index.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** PostgreSQL for state when set (DATABASE_URL); SQLite under dataDir otherwise. */
  readonly databaseUrl: string | null;
  /** Start the embedded PostgreSQL demo target (PGlite) with the sql-ecommerce workload. */
  readonly demo: boolean;
  /** Start the setups of enabled targets when the server starts. */
  readonly autoSetup: boolean;
  readonly targets: readonly ConfiguredTarget[];
  /** Extra directories of workload files. */
  readonly workloadDirs: readonly string[];
  readonly logLevel: string;
  /** An operator token given from outside (env BENCHPILOT_OPERATOR_TOKEN, e.g. the chart's Secret); never logged. */
  readonly operatorToken: string | null;
  /** Where runners run: child processes here (`local`) or Jobs (`kubernetes`). */
  readonly executor: ExecutorConfig;
}

export type ExecutorConfig =
  | { readonly kind: 'local' }
  | { readonly kind: 'kubernetes'; readonly kubernetes: KubernetesExecutorConfig };

export interface ConfiguredTarget {
  readonly name: string;
  readonly driver: string;
  readonly enabled: boolean;
  readonly connection: Record<string, string | number | boolean>;
  readonly secretEnv: Record<string, string>;
  readonly workloads: readonly string[];
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './.benchpilot',
  logLevel: 'info',
} as const;

/** Helm values key → driver. Keys whose driver this build lacks are listed as unavailable targets. */
export const TARGET_DRIVERS: Record<string, string> = {
  postgres: 'postgres',
  http: 'http',
  cassandra: 'cql',
  opensearch: 'opensearch',
  presto: 'trino',
  llm: 'openai',
  tsdb: 'promwrite',
};

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const targetEntry = z
  .looseObject({
    enabled: z.boolean().default(false),
    workloads: z.array(z.string()).default([]),
    secretEnv: z.record(z.string(), z.string()).default({}),
  })
  .transform((entry) => {
    const { enabled, workloads, secretEnv, ...rest } = entry;
    const connection: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(rest)) {
      const parsed = scalar.safeParse(value);
      if (parsed.success) connection[key] = parsed.data;
    }
    return { enabled, workloads, secretEnv, connection };
  });

const fileSchema = z.strictObject({
  autoSetup: z.boolean().optional(),
  demo: z.boolean().optional(),
  targets: z
    .partialRecord(z.enum(Object.keys(TARGET_DRIVERS) as [string, ...string[]]), targetEntry)
    .default({}),
  workloads: z.strictObject({ dirs: z.array(z.string()).default([]) }).optional(),
  /** Prometheus-compatible push endpoint for engine metrics (nb5 pushes there), Helm `metrics.endpoint`. */
  metrics: z.strictObject({ endpoint: z.string().url().optional() }).optional(),
  nosqlbench: z.strictObject({ image: z.string().min(1).optional() }).optional(),
  executor: z
    .strictObject({
      kind: z.enum(['local', 'kubernetes']).default('local'),
      kubernetes: z
        .strictObject({
          namespace: z.string().min(1).optional(),
          release: z.string().min(1).optional(),
          image: z.string().min(1).optional(),
          imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
          runnerUrl: z.string().url().optional(),
          kubeconfig: z.string().optional(),
          resources: z
            .strictObject({
              requests: z.record(z.string(), z.string()).optional(),
              limits: z.record(z.string(), z.string()).optional(),
            })
            .optional(),
          backoffLimit: z.number().int().min(0).optional(),
          setupDeadlineSeconds: z.number().int().positive().nullable().optional(),
          ttlSecondsAfterFinished: z.number().int().min(0).nullable().optional(),
          openshift: z.boolean().optional(),
          orphanJobs: z.enum(['report', 'delete']).optional(),
          nodeSelector: z.record(z.string(), z.string()).optional(),
          tolerations: z
            .array(
              z.strictObject({
                key: z.string().optional(),
                operator: z.enum(['Exists', 'Equal']).optional(),
                value: z.string().optional(),
                effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
                tolerationSeconds: z.number().int().optional(),
              }),
            )
            .optional(),
          imagePullSecrets: z.array(z.string().min(1)).optional(),
          leaderElection: z.boolean().optional(),
        })
        .default({}),
    })
    .optional(),
});

/** Defaults of the Kubernetes executor (docs/kubernetes.md). */
export const KUBERNETES_DEFAULTS = {
  image: 'ghcr.io/benchpilot/benchpilot:0.1.0',
  resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  backoffLimit: 0,
  setupDeadlineSeconds: 6 * 3600,
  ttlSecondsAfterFinished: 7 * 24 * 3600,
} as const;

export interface ServeFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  config?: string;
  demo?: boolean;
  autoSetup?: boolean;
}

export async function loadServerConfig(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerConfig> {
  let file: z.output<typeof fileSchema> = { targets: {} };
  if (flags.config) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch (err) {
      throw new BenchpilotError('BP_FILE_NOT_FOUND', `--config ${flags.config}: ${(err as Error).message}`);
    }
    const parsed = fileSchema.safeParse(parseYaml(text) ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`)
        .join('\n');
      throw new BenchpilotError('BP_USAGE', `--config ${flags.config} is not valid:\n${problems}`);
    }
    file = parsed.data;
  }
  const targets: ConfiguredTarget[] = Object.entries(file.targets).flatMap(([key, entry]) =>
    entry
      ? [
          {
            name: key,
            driver: TARGET_DRIVERS[key]!,
            enabled: entry.enabled,
            connection: entry.connection,
            secretEnv: entry.secretEnv,
            workloads: entry.workloads,
          },
        ]
      : [],
  );
  const demo = flags.demo ?? file.demo ?? true;
  return {
    host: flags.host ?? env.BENCHPILOT_HOST ?? DEFAULTS.host,
    port: flags.port ?? (env.BENCHPILOT_PORT ? Number(env.BENCHPILOT_PORT) : DEFAULTS.port),
    dataDir: resolve(flags.dataDir ?? env.BENCHPILOT_DATA_DIR ?? DEFAULTS.dataDir),
    databaseUrl: env.DATABASE_URL || null,
    demo,
    autoSetup: flags.autoSetup ?? file.autoSetup ?? demo,
    targets,
    workloadDirs: (file.workloads?.dirs ?? []).map((d) => resolve(d)),
    logLevel: env.BENCHPILOT_LOG_LEVEL ?? DEFAULTS.logLevel,
    operatorToken: env.BENCHPILOT_OPERATOR_TOKEN || null,
    executor: executorConfig(file, env),
  };
}

function executorConfig(file: z.output<typeof fileSchema>, env: NodeJS.ProcessEnv): ExecutorConfig {
  const entry = file.executor;
  const kind = env.BENCHPILOT_EXECUTOR ?? entry?.kind ?? 'local';
  if (kind === 'local') return { kind: 'local' };
  if (kind !== 'kubernetes')
    throw new BenchpilotError('BP_USAGE', `executor ${kind} is not known: use local or kubernetes`);
  const k = entry?.kubernetes ?? {};
  const runnerUrl = env.BENCHPILOT_RUNNER_URL ?? k.runnerUrl;
  if (!runnerUrl) {
    throw new BenchpilotError(
      'BP_USAGE',
      'executor.kubernetes.runnerUrl is required: the URL runner pods dial, e.g. ws://benchpilot.<namespace>.svc:8080/api/v1/runner',
    );
  }
  return {
    kind: 'kubernetes',
    kubernetes: {
      namespace: env.BENCHPILOT_NAMESPACE ?? k.namespace,
      release: k.release,
      image: env.BENCHPILOT_RUNNER_IMAGE ?? k.image ?? KUBERNETES_DEFAULTS.image,
      imagePullPolicy: k.imagePullPolicy,
      runnerUrl,
      kubeconfig: k.kubeconfig,
      resources: k.resources ?? KUBERNETES_DEFAULTS.resources,
      backoffLimit: k.backoffLimit ?? KUBERNETES_DEFAULTS.backoffLimit,
      setupDeadlineSeconds:
        k.setupDeadlineSeconds === undefined
          ? KUBERNETES_DEFAULTS.setupDeadlineSeconds
          : k.setupDeadlineSeconds,
      ttlSecondsAfterFinished:
        k.ttlSecondsAfterFinished === undefined
          ? KUBERNETES_DEFAULTS.ttlSecondsAfterFinished
          : k.ttlSecondsAfterFinished,
      openshift: k.openshift ?? false,
      orphanJobs: k.orphanJobs ?? 'delete',
      nodeSelector: k.nodeSelector,
      tolerations: k.tolerations,
      imagePullSecrets: k.imagePullSecrets,
      leaderElection: k.leaderElection ?? false,
      identity: env.POD_NAME || undefined,
      nosqlbenchImage: file.nosqlbench?.image,
      metricsEndpoint: env.BENCHPILOT_METRICS_ENDPOINT ?? file.metrics?.endpoint,
    },
  };
}

/** The configuration as printed on start: no secrets (DATABASE_URL's password is masked). */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    state: config.databaseUrl ? redactUrl(config.databaseUrl) : 'sqlite',
    demo: config.demo,
    autoSetup: config.autoSetup,
    targets: config.targets.map((t) => `${t.name}${t.enabled ? '' : ' (disabled)'}`),
    executor:
      config.executor.kind === 'local'
        ? 'local'
        : {
            kind: 'kubernetes',
            namespace: config.executor.kubernetes.namespace ?? '(from the environment)',
            image: config.executor.kubernetes.image,
            runnerUrl: config.executor.kubernetes.runnerUrl,
          },
  };
}
