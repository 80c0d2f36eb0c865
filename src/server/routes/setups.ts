import { z } from 'zod';
import { setupSchema, setupStartSchema } from '../../protocol/api.js';
import { BenchpilotError } from '../../protocol/errors.js';
import type { App, AppDeps } from '../app.js';
import { API_ERRORS } from './errors.js';

const byId = z.object({ id: z.string().min(1).max(100) });

export function registerSetupRoutes(app: App, deps: AppDeps): void {
  const tags = ['setups'];
  app.get('/api/v1/setups', { schema: { tags, response: { 200: z.array(setupSchema) } } }, async () =>
    deps.store.listSetups(),
  );
  app.get(
    '/api/v1/setups/:id',
    { schema: { tags, params: byId, response: { 200: setupSchema, ...API_ERRORS } } },
    async (req) => {
      const setup = await deps.store.getSetup(req.params.id);
      if (!setup) throw new BenchpilotError('BP_NOT_FOUND', `no setup ${req.params.id}`);
      return setup;
    },
  );
  app.post(
    '/api/v1/setups',
    { schema: { tags, body: setupStartSchema, response: { 201: setupSchema, ...API_ERRORS } } },
    async (req, reply) =>
      reply.code(201).send(await deps.runs.startSetup(req.body.target, req.body.workload)),
  );
  app.post(
    '/api/v1/setups/:id/retry',
    { schema: { tags, params: byId, response: { 200: setupSchema, ...API_ERRORS } } },
    async (req) => deps.runs.retrySetup(req.params.id),
  );
}
