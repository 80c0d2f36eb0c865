/** The http driver plugin: HTTP/1.1 load with undici (default) or a raw keep-alive fast path. */
import type { DriverPlugin } from '../../engine/driver.js';
import { HttpDriver } from './driver.js';
import { HTTP_ERROR_CLASSES } from './errors.js';
import { type HttpOp, type HttpTarget, httpOpSchema, httpTargetSchema } from './options.js';

export const httpDriver: DriverPlugin<HttpTarget, HttpOp> = {
  name: 'http',
  description: 'HTTP/1.1 requests with templated path, headers and body over keep-alive connections',
  targetSchema: httpTargetSchema,
  opSchema: httpOpSchema,
  secretFields: ['token', 'authorization'],
  errorClasses: HTTP_ERROR_CLASSES,
  create: (target, ctx) => new HttpDriver(target, ctx),
};

export { HttpDriver } from './driver.js';
export type { HttpOp, HttpTarget } from './options.js';
