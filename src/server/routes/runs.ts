import { z } from 'zod';
import { runListQuerySchema, runPatchSchema, runSchema, runStartSchema } from '../../protocol/api.js';
import { BenchpilotError } from '../../protocol/errors.js';
import type { App, AppDeps } from '../app.js';
import { publicRun } from '../run-manager.js';
import { API_ERRORS } from './errors.js';

export const runIdParams = z.object({
  id: z.string().regex(/^run-[a-z0-9-]{1,60}$/, 'expected a run id such as run-20261126-1a2b3c4d'),
});

export function registerRunRoutes(app: App, deps: AppDeps): void {
  const tags = ['runs'];
  app.get(
    '/api/v1/runs',
    {
      schema: { tags, querystring: runListQuerySchema, response: { 200: z.array(runSchema), ...API_ERRORS } },
    },
    async (req) => (await deps.store.listRuns(req.query)).map(publicRun),
  );
  app.post(
    '/api/v1/runs',
    { schema: { tags, body: runStartSchema, response: { 201: runSchema, ...API_ERRORS } } },
    async (req, reply) => reply.code(201).send(await deps.runs.startBenchmark(req.body)),
  );
  app.get(
    '/api/v1/runs/:id',
    { schema: { tags, params: runIdParams, response: { 200: runSchema, ...API_ERRORS } } },
    async (req) => {
      const run = await deps.store.getRun(req.params.id);
      if (!run) throw new BenchpilotError('BP_NOT_FOUND', `no run ${req.params.id}`);
      return publicRun(run);
    },
  );
  app.patch(
    '/api/v1/runs/:id',
    {
      schema: {
        tags,
        params: runIdParams,
        body: runPatchSchema,
        response: { 200: runSchema, ...API_ERRORS },
      },
    },
    async (req) => {
      await requireRun(deps, req.params.id);
      return deps.runs.patch(req.params.id, req.body);
    },
  );
  app.post(
    '/api/v1/runs/:id/stop',
    { schema: { tags, params: runIdParams, response: { 200: runSchema, ...API_ERRORS } } },
    async (req) => {
      await requireRun(deps, req.params.id);
      return deps.runs.stop(req.params.id);
    },
  );
  app.delete(
    '/api/v1/runs/:id',
    { schema: { tags, params: runIdParams, response: { 204: z.null(), ...API_ERRORS } } },
    async (req, reply) => {
      await deps.runs.delete(req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/v1/runs/:id/logs',
    {
      schema: {
        tags,
        params: runIdParams,
        querystring: z.object({ tail: z.coerce.number().int().min(1).max(10_000).default(200) }),
        response: { 200: z.object({ lines: z.array(z.string()) }), ...API_ERRORS },
      },
    },
    async (req) => ({ lines: await deps.runs.tailLogs(req.params.id, req.query.tail) }),
  );
}

async function requireRun(deps: AppDeps, id: string): Promise<void> {
  if (!(await deps.store.getRun(id))) throw new BenchpilotError('BP_NOT_FOUND', `no run ${id}`);
}
