/**
 * Workloads the server knows (shipped, from config dirs, uploaded) and targets (config file,
 * API, embedded demo), with each target's readiness per workload.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { nb5PhasesOf } from '../executors/kubernetes/nosqlbench.js';
import type { Target, TargetInput, Workload } from '../protocol/api.js';
import { BenchpilotError } from '../protocol/errors.js';
import { DRIVERS } from '../runner/registry.js';
import { type LoadedWorkload, loadWorkloadText } from '../workload/load.js';
import type { Store, StoredTarget, StoredWorkload } from './state/store.js';

export const SHIPPED_WORKLOADS_DIR = fileURLToPath(new URL('../../../workloads/', import.meta.url));

export function describeWorkload(loaded: LoadedWorkload, yaml: string, source: Workload['source']): Workload {
  const phases = loaded.spec.phases;
  return {
    name: loaded.spec.name,
    description: loaded.spec.description ?? null,
    driver: loaded.plugin.name,
    engine: 'benchpilot',
    source,
    phases: phases.map((p, i) => ({
      name: p.name,
      kind: i === phases.length - 1 ? 'benchmark' : 'setup',
      rate: p.rate ?? null,
      concurrency: p.concurrency ?? null,
      cycles: p.cycles ?? null,
      durationSeconds: p.duration ?? null,
    })),
    yaml,
    updatedAt: new Date().toISOString(),
  };
}

/** Drivers of the NoSQLBench engine (nb5 Jobs); its workloads live in `nosqlbench/` of a workload directory. */
export const NB5_DRIVERS = new Set(['cql']);

/** An nb5 workload: its default scenario's steps are the phases (the last is the benchmark). */
export function describeNb5Workload(file: string, yaml: string, source: Workload['source']): Workload {
  const name = basename(file).replace(/\.ya?ml$/, '');
  const steps = nb5PhasesOf(yaml, file);
  const doc = parseYaml(yaml) as { description?: unknown } | null;
  const description = typeof doc?.description === 'string' ? doc.description.trim().split('\n')[0]! : null;
  return {
    name,
    description,
    driver: 'cql',
    engine: 'nosqlbench',
    source,
    phases: steps.map((step, i) => ({
      name: step,
      kind: i === steps.length - 1 ? 'benchmark' : 'setup',
      rate: null,
      concurrency: null,
      cycles: null,
      durationSeconds: null,
    })),
    yaml,
    updatedAt: new Date().toISOString(),
  };
}

export function validateWorkloadYaml(yaml: string, fileName: string): LoadedWorkload {
  return loadWorkloadText(yaml, fileName, { drivers: DRIVERS, env: process.env });
}

export class Catalog {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #uploadDir: string;

  constructor(store: Store, dataDir: string, log: Logger) {
    this.#store = store;
    this.#log = log;
    this.#uploadDir = join(dataDir, 'workloads');
  }

  /** Loads shipped and configured workload files into the store (uploaded ones are already there). */
  async loadWorkloadDirs(dirs: readonly string[]): Promise<void> {
    await mkdir(this.#uploadDir, { recursive: true });
    for (const [dir, source] of [
      [SHIPPED_WORKLOADS_DIR, 'shipped'],
      ...dirs.map((d) => [d, 'config']),
    ] as const) {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
      } catch (err) {
        this.#log.warn({ dir, err: (err as Error).message }, 'workload directory not readable');
        continue;
      }
      await this.#loadNb5Dir(join(dir, 'nosqlbench'), source as Workload['source']);
      for (const name of names) {
        const file = join(dir, name);
        const yaml = await readFile(file, 'utf8');
        try {
          const loaded = validateWorkloadYaml(yaml, file);
          await this.#store.putWorkload({
            ...describeWorkload(loaded, yaml, source as Workload['source']),
            file,
          });
        } catch (err) {
          this.#log.warn(
            { file, err: err instanceof BenchpilotError ? err.describe() : String(err) },
            'workload skipped',
          );
        }
      }
    }
  }

  /**
   * Uploaded workloads live in the store; their files (which runners read) are written again when
   * missing — the data directory may be an emptyDir, or another replica's.
   */
  async restoreUploadedFiles(): Promise<number> {
    let restored = 0;
    await mkdir(this.#uploadDir, { recursive: true });
    for (const workload of await this.#store.listWorkloads()) {
      if (workload.source !== 'uploaded') continue;
      const file = join(this.#uploadDir, `${workload.name}.yaml`);
      if (existsSync(file) && workload.file === file) continue;
      await writeFile(file, workload.yaml);
      await this.#store.putWorkload({ ...workload, file });
      restored++;
    }
    return restored;
  }

  /** Targets a previous config file defined and the current one no longer does are removed. */
  async pruneConfigTargets(current: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const target of await this.#store.listTargets()) {
      if (target.source === 'config' && !current.has(target.name)) {
        await this.#store.deleteTarget(target.name);
        removed.push(target.name);
      }
    }
    return removed;
  }

  /** nb5 workloads (their own YAML form) from `<dir>/nosqlbench/`, when that directory exists. */
  async #loadNb5Dir(dir: string, source: Workload['source']): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
    } catch {
      return;
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        const yaml = await readFile(file, 'utf8');
        await this.#store.putWorkload({ ...describeNb5Workload(file, yaml, source), file });
      } catch (err) {
        this.#log.warn(
          { file, err: err instanceof BenchpilotError ? err.describe() : String(err) },
          'NoSQLBench workload skipped',
        );
      }
    }
  }

  async uploadWorkload(yaml: string): Promise<Workload> {
    const loaded = validateWorkloadYaml(yaml, 'upload.yaml');
    const existing = await this.#store.getWorkload(loaded.spec.name);
    if (existing && existing.source !== 'uploaded') {
      throw new BenchpilotError(
        'BP_CONFLICT',
        `workload ${loaded.spec.name} is ${existing.source}; upload it under another name`,
      );
    }
    const file = join(this.#uploadDir, `${loaded.spec.name}.yaml`);
    await writeFile(file, yaml);
    const workload = describeWorkload(loaded, yaml, 'uploaded');
    await this.#store.putWorkload({ ...workload, file });
    return workload;
  }

  async workload(name: string): Promise<StoredWorkload> {
    const workload = await this.#store.getWorkload(name);
    if (!workload) throw new BenchpilotError('BP_NOT_FOUND', `no workload named ${name}`);
    return workload;
  }

  async storedTarget(name: string): Promise<StoredTarget> {
    const target = await this.#store.getTarget(name);
    if (!target) throw new BenchpilotError('BP_NOT_FOUND', `no target named ${name}`);
    return target;
  }

  async putTarget(input: Required<TargetInput>, source: Target['source']): Promise<StoredTarget> {
    const now = new Date().toISOString();
    const existing = await this.#store.getTarget(input.name);
    const target: StoredTarget = { ...input, source, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await this.#store.putTarget(target);
    return target;
  }

  /** The API view: readiness per workload from the newest setup, and whether this build has the driver. */
  async view(target: StoredTarget): Promise<Target> {
    const readiness: Target['readiness'] = [];
    for (const workload of target.workloads) {
      const setup = await this.#store.latestSetup(target.name, workload);
      const state = setup?.state ?? 'none';
      readiness.push({ workload, setupId: setup?.id ?? null, state, ready: state === 'succeeded' });
    }
    return { ...target, available: DRIVERS.has(target.driver) || NB5_DRIVERS.has(target.driver), readiness };
  }

  async targets(): Promise<Target[]> {
    const stored = await this.#store.listTargets();
    return Promise.all(stored.map((t) => this.view(t)));
  }
}
