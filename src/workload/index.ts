/** Workload files: load, validate and report every problem with file:line:col. */
export { type LoadedWorkload, type LoadOptions, loadWorkload, loadWorkloadText, schemaFor } from './load.js';
export type { RunOverrides } from './overrides.js';
