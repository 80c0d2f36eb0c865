import { z } from 'zod';
import { validationResultSchema, workloadSchema, workloadUploadSchema } from '../../protocol/api.js';
import { isBenchpilotError } from '../../protocol/errors.js';
import type { App, AppDeps } from '../app.js';
import { validateWorkloadYaml } from '../catalog.js';
import { API_ERRORS } from './errors.js';

const strip = <T extends { file: string }>(w: T): Omit<T, 'file'> => {
  const { file: _file, ...rest } = w;
  return rest;
};

export function registerWorkloadRoutes(app: App, deps: AppDeps): void {
  const tags = ['workloads'];
  app.get('/api/v1/workloads', { schema: { tags, response: { 200: z.array(workloadSchema) } } }, async () =>
    (await deps.store.listWorkloads()).map(strip),
  );
  app.get(
    '/api/v1/workloads/:name',
    {
      schema: {
        tags,
        params: z.object({ name: z.string() }),
        response: { 200: workloadSchema, ...API_ERRORS },
      },
    },
    async (req) => strip(await deps.catalog.workload(req.params.name)),
  );
  app.post(
    '/api/v1/workloads/validate',
    {
      schema: { tags, body: workloadUploadSchema, response: { 200: validationResultSchema, ...API_ERRORS } },
    },
    async (req) => {
      try {
        validateWorkloadYaml(req.body.yaml, 'upload.yaml');
        return { ok: true, issues: [] };
      } catch (err) {
        if (isBenchpilotError(err)) {
          const issues =
            err.issues.length > 0
              ? err.issues
              : [{ code: err.code, file: 'upload.yaml', line: 0, col: 0, path: '', message: err.message }];
          return { ok: false, issues: [...issues] };
        }
        throw err;
      }
    },
  );
  app.post(
    '/api/v1/workloads',
    { schema: { tags, body: workloadUploadSchema, response: { 201: workloadSchema, ...API_ERRORS } } },
    async (req, reply) => reply.code(201).send(await deps.catalog.uploadWorkload(req.body.yaml)),
  );
}
