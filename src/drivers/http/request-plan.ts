/**
 * One op compiled once in `prepare`: method, path, headers and body, each either a constant or
 * a template rendered per cycle. Transports turn a plan into their own prebuilt request parts.
 */

import type { PrepareContext } from '../../engine/driver.js';
import { type CompiledTemplate, compileTemplate } from '../../engine/template.js';
import { BenchpilotError } from '../../protocol/errors.js';
import { compileExpect, type HttpOp, type HttpTarget } from './options.js';

/** A part of a request: constant text, or a template rendered per cycle. */
export type Part = string | CompiledTemplate;

export interface RequestPlan {
  readonly method: string;
  /** The base URL's path joined with the op's path. */
  readonly path: Part;
  /** Name/value pairs in send order: target headers (constants), then the op's. */
  readonly headers: readonly (readonly [string, Part])[];
  readonly body: Part | undefined;
  /** No part is a template: the whole request can be built once. */
  readonly constant: boolean;
  /** expected[status] === 1 when the status counts as success. */
  readonly expected: Uint8Array;
  /** HEAD responses have no body whatever their headers say. */
  readonly isHead: boolean;
}

export function isConstant(part: Part | undefined): part is string | undefined {
  return part === undefined || typeof part === 'string';
}

export function render(part: Part, cycle: number): string {
  return typeof part === 'string' ? part : part.render(cycle);
}

/** Headers the target adds to every request, secrets included (never logged). */
export function targetHeaders(target: HttpTarget): [string, string][] {
  const headers = Object.entries(target.headers);
  if (target.token !== undefined) headers.push(['authorization', `Bearer ${target.token}`]);
  else if (target.authorization !== undefined) headers.push(['authorization', target.authorization]);
  return headers;
}

export function basePath(url: URL): string {
  return url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
}

function part(text: string, bindings: PrepareContext['bindings'], field: string, opName: string): Part {
  let template: CompiledTemplate;
  try {
    template = compileTemplate(text, bindings);
  } catch (err) {
    if (err instanceof BenchpilotError) {
      throw new BenchpilotError(err.code, `op ${opName}: ${field}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  // A template without placeholders renders to its text: keep the string itself.
  return template.names.length === 0 ? template.render(0) : template;
}

const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection']);

export function compilePlan(op: HttpOp, target: HttpTarget, url: URL, ctx: PrepareContext): RequestPlan {
  const method = op.method.toUpperCase();
  const prefix = basePath(url);
  const pathPart = part(op.path, ctx.bindings, 'path', ctx.opName);
  const path = typeof pathPart === 'string' ? prefix + pathPart : prefixed(prefix, pathPart);
  const headers: [string, Part][] = targetHeaders(target).map(([name, value]) => [name.toLowerCase(), value]);
  for (const [name, value] of Object.entries(op.headers)) {
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower)) {
      throw new BenchpilotError(
        'BP_DRIVER_PREPARE',
        `op ${ctx.opName}: headers.${name} is set by the driver (framing and keep-alive); remove it`,
      );
    }
    const existing = headers.findIndex(([n]) => n === lower);
    const compiled = part(value, ctx.bindings, `headers.${name}`, ctx.opName);
    if (existing >= 0) headers[existing] = [lower, compiled];
    else headers.push([lower, compiled]);
  }
  const body = op.body === undefined ? undefined : part(op.body, ctx.bindings, 'body', ctx.opName);
  const constant = isConstant(path) && isConstant(body) && headers.every(([, v]) => isConstant(v));
  return {
    method,
    path,
    headers,
    body,
    constant,
    expected: compileExpect(op.expect),
    isHead: method === 'HEAD',
  };
}

function prefixed(prefix: string, template: CompiledTemplate): Part {
  if (prefix === '') return template;
  return { names: template.names, render: (cycle) => prefix + template.render(cycle) };
}
