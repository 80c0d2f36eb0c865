import { z } from 'zod';
import { nameParam, targetInputSchema, targetSchema } from '../../protocol/api.js';
import { BenchpilotError } from '../../protocol/errors.js';
import type { App, AppDeps } from '../app.js';
import { isTerminal } from '../run-manager.js';
import { API_ERRORS } from './errors.js';

const byName = z.object({ name: nameParam });

export function registerTargetRoutes(app: App, deps: AppDeps): void {
  const tags = ['targets'];
  app.get('/api/v1/targets', { schema: { tags, response: { 200: z.array(targetSchema) } } }, async () =>
    deps.catalog.targets(),
  );
  app.get(
    '/api/v1/targets/:name',
    { schema: { tags, params: byName, response: { 200: targetSchema, ...API_ERRORS } } },
    async (req) => deps.catalog.view(await deps.catalog.storedTarget(req.params.name)),
  );
  app.post(
    '/api/v1/targets',
    { schema: { tags, body: targetInputSchema, response: { 201: targetSchema, ...API_ERRORS } } },
    async (req, reply) => {
      if (await deps.store.getTarget(req.body.name)) {
        throw new BenchpilotError(
          'BP_CONFLICT',
          `target ${req.body.name} exists; use PUT /api/v1/targets/${req.body.name} to change it`,
        );
      }
      const stored = await deps.catalog.putTarget(req.body, 'api');
      const view = await deps.catalog.view(stored);
      deps.hub.publish('targets', { type: 'target', target: view });
      return reply.code(201).send(view);
    },
  );
  app.put(
    '/api/v1/targets/:name',
    {
      schema: {
        tags,
        params: byName,
        body: targetInputSchema,
        response: { 200: targetSchema, ...API_ERRORS },
      },
    },
    async (req) => {
      if (req.body.name !== req.params.name) {
        throw new BenchpilotError(
          'BP_API_BAD_REQUEST',
          `body.name ${req.body.name} differs from the path's ${req.params.name}`,
        );
      }
      const existing = await deps.catalog.storedTarget(req.params.name);
      const stored = await deps.catalog.putTarget(req.body, existing.source);
      const view = await deps.catalog.view(stored);
      deps.hub.publish('targets', { type: 'target', target: view });
      return view;
    },
  );
  app.delete(
    '/api/v1/targets/:name',
    { schema: { tags, params: byName, response: { 204: z.null(), ...API_ERRORS } } },
    async (req, reply) => {
      await deps.catalog.storedTarget(req.params.name);
      const active = (await deps.store.listRuns({ target: req.params.name, limit: 1000 })).filter(
        (r) => !isTerminal(r.state),
      );
      if (active.length > 0)
        throw new BenchpilotError(
          'BP_CONFLICT',
          `target ${req.params.name} has running runs; stop them first`,
        );
      await deps.store.deleteTarget(req.params.name);
      return reply.code(204).send(null);
    },
  );
}
