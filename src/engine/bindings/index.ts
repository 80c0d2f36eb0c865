/** Deterministic data generation: the public surface of engine/bindings. */
export { checkBindings } from './check.js';
export { type CompileBindingsOptions, compileBindings, formatPath, pathIssueToSpecIssue } from './compile.js';
export type { BindingSet, BindingValue, Generator } from './types.js';
