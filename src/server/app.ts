/**
 * The fastify application: schema-first routes under /api/v1 (zod schemas → validation and the
 * OpenAPI document), auth, the WebSocket event stream, health, metrics and the web UI.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { BenchpilotError, httpStatusFor, isBenchpilotError } from '../protocol/errors.js';
import { RUNNER_LINK_PATH } from '../protocol/runner-link.js';
import { authenticate, type Principal, requireOperator } from './auth.js';
import type { Catalog } from './catalog.js';
import type { EventHub } from './hub.js';
import type { ServerMetrics } from './metrics.js';
import { registerEventsRoute } from './routes/events.js';
import { registerResultRoutes } from './routes/results.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerSetupRoutes } from './routes/setups.js';
import { registerTargetRoutes } from './routes/targets.js';
import { registerWorkloadRoutes } from './routes/workloads.js';
import type { RunManager } from './run-manager.js';
import type { Store } from './state/store.js';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export interface AppDeps {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly runs: RunManager;
  readonly hub: EventHub;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** True once state is open and executors are up (for /readyz). */
  readonly ready: () => boolean;
  /** Runner pods' link (/api/v1/runner) when the executor has one (kubernetes). */
  readonly acceptRunner?: ((socket: WebSocket, remote: string) => void) | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;

/** Read-only POSTs a viewer may make. */
const VIEWER_POSTS = new Set(['/api/v1/workloads/validate']);

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 2 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'benchpilot API',
        version: '1',
        description: 'Benchmark control plane: targets, workloads, setups, runs, results.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'is not valid',
      }));
      return reply.code(400).send({
        code: 'BP_API_BAD_REQUEST',
        message: `the request is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
        issues,
      });
    }
    if (isBenchpilotError(error)) {
      const issues = error.issues.map((i) => ({
        path: i.path,
        message: `${i.code}: ${i.file}:${i.line}:${i.col} ${i.message}`,
      }));
      return reply
        .code(httpStatusFor(error.code))
        .send({ code: error.code, message: error.message, ...(issues.length ? { issues } : {}) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ code: 'BP_API_BAD_REQUEST', message: (error as Error).message });
    }
    request.log.error({ err: error, url: redactUrl(request.url) }, 'request failed');
    return reply.code(500).send({ code: 'BP_INTERNAL', message: 'internal error (logged on the server)' });
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.apiLatency.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Auth for the API: every /api/v1 route needs a token; changes need an operator token.
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith('/api/v1/')) return;
    // Runner pods authenticate inside the link with their run's token (docs/runner-protocol.md).
    if (request.routeOptions.url === RUNNER_LINK_PATH) return;
    if (!deps.ready()) {
      throw new BenchpilotError(
        'BP_STATE_UNAVAILABLE',
        'this control-plane replica is not active (a standby, or still starting): use the Service, which routes to the active one',
      );
    }
    const presented = request.headers.authorization ?? accessTokenOf(request);
    request.principal = await authenticate(deps.store, presented);
    const mutating = request.method !== 'GET' && request.method !== 'HEAD';
    if (mutating && !VIEWER_POSTS.has(request.routeOptions.url ?? '')) requireOperator(request.principal);
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) =>
    deps.ready() ? { ready: true } : reply.code(503).send({ ready: false }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/api/v1/me', { schema: { tags: ['auth'] } }, async (request) => ({
    name: request.principal!.name,
    role: request.principal!.role,
  }));
  registerTargetRoutes(app, deps);
  registerWorkloadRoutes(app, deps);
  registerSetupRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerResultRoutes(app, deps);
  const acceptRunner = deps.acceptRunner;
  if (acceptRunner) {
    app.get(RUNNER_LINK_PATH, { websocket: true, schema: { hide: true } }, (socket, request) =>
      acceptRunner(socket, request.ip),
    );
  }
  registerEventsRoute(app, deps);

  if (existsSync(WEB_DIR)) {
    await app.register(fastifyStatic, { root: WEB_DIR, wildcard: false });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/')) return reply.sendFile('index.html');
      return reply
        .code(404)
        .send({ code: 'BP_NOT_FOUND', message: `no route ${request.method} ${redactUrl(request.url)}` });
    });
  }
  return app;
}

function accessTokenOf(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

/** URLs may carry ?access_token= (WebSocket): never log it. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&]*/g, '$1***');
}
