/**
 * Server configuration: one home for defaults; flags, environment and the optional config file
 * (`--config benchpilot.yaml`, same keys as the Helm chart's values) are mapped into it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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
}

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
});

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
  };
}
