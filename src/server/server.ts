/**
 * Composition root of the control plane: state, executor, catalog, the embedded demo target,
 * the run manager (re-attaching to runners that outlived a restart), the HTTP app, autoSetup.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../embedded/pglite.js';
import type { Executor } from '../executors/executor.js';
import { KubernetesExecutor } from '../executors/kubernetes/kubernetes-executor.js';
import { LeaderLease } from '../executors/kubernetes/leader-lease.js';
import { LocalExecutor } from '../executors/local/local-executor.js';
import { type App, buildApp } from './app.js';
import { createToken, ensureGivenToken } from './auth.js';
import { Catalog } from './catalog.js';
import { describeConfig, type ServerConfig } from './config.js';
import { EventHub } from './hub.js';
import { createMetrics } from './metrics.js';
import { RunManager } from './run-manager.js';
import { openStore } from './state/index.js';

export const DEMO_TARGET = 'demo-postgres';
export const DEMO_WORKLOAD = 'sql-ecommerce';

export interface RunningServer {
  readonly url: string;
  /** The operator token created on this start (only when the store had no token yet). */
  readonly initialToken: string | null;
  readonly app: App;
  readonly runs: RunManager;
  /** Stops serving; runners keep running (a later start re-attaches to them). */
  close(): Promise<void>;
}

export interface StartOptions {
  /** What happens when this replica loses the leader Lease (default: exit so a standby takes over). */
  onLeadershipLost?: () => void;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token'],
      censor: '***',
    },
  });
  logger.info({ config: describeConfig(config) }, 'starting benchpilot server');
  await mkdir(config.dataDir, { recursive: true });
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
  let initialToken: string | null = null;
  if (config.operatorToken) {
    if (await ensureGivenToken(store, 'configured-operator', 'operator', config.operatorToken))
      logger.info('the operator token from BENCHPILOT_OPERATOR_TOKEN is registered');
  } else if ((await store.countTokens()) === 0) {
    initialToken = (await createToken(store, 'initial-operator', 'operator')).token;
  }

  const hub = new EventHub();
  const kube =
    config.executor.kind === 'kubernetes' ? new KubernetesExecutor(config.executor.kubernetes) : null;
  kube?.onWarning((message, fields) => logger.warn(fields ?? {}, message));
  const executor: Executor = kube ?? new LocalExecutor({ runsDir: join(config.dataDir, 'runs') });
  const catalog = new Catalog(store, config.dataDir, logger);
  await catalog.loadWorkloadDirs(config.workloadDirs);
  await catalog.restoreUploadedFiles();
  for (const target of config.targets) {
    await catalog.putTarget({ ...target, workloads: [...target.workloads] }, 'config');
  }
  const removed = await catalog.pruneConfigTargets(new Set(config.targets.map((t) => t.name)));
  if (removed.length > 0) logger.info({ removed }, 'targets no longer in the config file were removed');
  let demo: EmbeddedPostgres | null = null;
  if (config.demo) {
    demo = await startEmbeddedPostgres({ port: 0, dataDir: join(config.dataDir, 'demo-postgres') });
    await catalog.putTarget(
      {
        name: DEMO_TARGET,
        driver: 'postgres',
        connection: { url: demo.url },
        secretEnv: {},
        enabled: true,
        workloads: [DEMO_WORKLOAD],
      },
      'embedded',
    );
    logger.info({ url: demo.url }, 'embedded PostgreSQL demo target started');
  }

  const runs = new RunManager({ store, executor, hub, catalog, log: logger });
  /** Follows the runs that kept going and cleans up after lost ones: only the active replica does this. */
  const becomeActive = async (): Promise<void> => {
    const reattached = await runs.reattachAll();
    if (reattached > 0) logger.info({ reattached }, 're-attached to runs that kept going');
    if (kube) {
      // Only the run ids the cluster has Jobs for are looked up, not every run ever stored.
      await kube
        .sweepOrphans(async (runId) => (await store.getRun(runId)) !== null)
        .catch((err) => logger.warn({ err: (err as Error).message }, 'could not look for orphaned Jobs'));
    }
  };
  const lease =
    kube && config.executor.kind === 'kubernetes' && config.executor.kubernetes.leaderElection
      ? new LeaderLease(kube.kubeConfig, {
          namespace: await kube.namespace(),
          name: `${kube.release}-leader`,
          identity: config.executor.kubernetes.identity ?? `${hostname()}-${process.pid}`,
          log: (message, fields) => logger.info(fields ?? {}, message),
        })
      : null;
  if (!lease) await becomeActive();
  let ready = false;
  const app = await buildApp({
    store,
    catalog,
    runs,
    hub,
    metrics: createMetrics(store, hub),
    logger,
    ready: () => ready,
    acceptRunner: kube ? (socket, remote) => kube.acceptRunner(socket, remote) : undefined,
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (lease) {
    // Listening already (liveness passes), not ready (the Service routes nothing here) until this
    // replica holds the Lease.
    await lease.acquire();
    lease.onLost(
      options.onLeadershipLost ??
        (() => {
          logger.fatal('the leader lease was lost: exiting so that a standby takes over');
          process.exit(70);
        }),
    );
    await becomeActive();
  }
  ready = true;

  if (config.autoSetup) {
    for (const target of await store.listTargets()) {
      if (!target.enabled) continue;
      for (const workload of target.workloads) {
        const latest = await store.latestSetup(target.name, workload);
        if (latest && latest.state !== 'failed') continue;
        runs
          .startSetup(target.name, workload)
          .catch((err) =>
            logger.warn(
              { err: (err as Error).message, target: target.name, workload },
              'autoSetup could not start',
            ),
          );
      }
    }
  }

  return {
    url,
    initialToken,
    app,
    runs,
    async close() {
      ready = false;
      await app.close();
      await runs.detachAll();
      kube?.close();
      await lease?.release();
      await demo?.close();
      await store.close();
    },
  };
}
