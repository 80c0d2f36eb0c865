/** Results of runs: series, summary, percentile curves, exports (JSON, CSV, HTML report) and comparison. */
import { z } from 'zod';
import { seriesPointSchema } from '../../protocol/api.js';
import { BenchpilotError } from '../../protocol/errors.js';
import type { App, AppDeps } from '../app.js';
import { compareRuns, percentileCurves, renderHtmlReport, seriesCsv, summaryCsv } from '../report/index.js';
import { publicRun } from '../run-manager.js';
import { API_ERRORS } from './errors.js';
import { runIdParams } from './runs.js';

export function registerResultRoutes(app: App, deps: AppDeps): void {
  const tags = ['results'];
  const runOf = async (id: string) => {
    const record = await deps.store.getRun(id);
    if (!record) throw new BenchpilotError('BP_NOT_FOUND', `no run ${id}`);
    return publicRun(record);
  };
  const summaryOf = async (id: string) => {
    const summary = await deps.store.getResult(id);
    if (!summary)
      throw new BenchpilotError(
        'BP_NOT_FOUND',
        `run ${id} has no summary yet (it is written when the run ends)`,
      );
    return summary;
  };

  app.get(
    '/api/v1/runs/:id/series',
    { schema: { tags, params: runIdParams, response: { 200: z.array(seriesPointSchema), ...API_ERRORS } } },
    async (req) => {
      await runOf(req.params.id);
      return deps.store.listSeries(req.params.id);
    },
  );
  app.get('/api/v1/runs/:id/summary', { schema: { tags, params: runIdParams } }, async (req) =>
    summaryOf(req.params.id),
  );
  app.get('/api/v1/runs/:id/percentiles', { schema: { tags, params: runIdParams } }, async (req) =>
    percentileCurves(await summaryOf(req.params.id)),
  );
  app.get('/api/v1/runs/:id/histograms', { schema: { tags, params: runIdParams } }, async (req) => {
    const summary = await summaryOf(req.params.id);
    return {
      unit: 'microseconds',
      encoding: 'HDR histogram, compressed base64 (hdr-histogram-js decodeFromCompressedBase64)',
      phases: summary.phases.map((p) => ({
        name: p.name,
        ops: p.ops.map((o) => ({ name: o.name, responseTime: o.histogram, serviceTime: o.serviceHistogram })),
      })),
    };
  });
  app.get('/api/v1/runs/:id/export.json', { schema: { tags, params: runIdParams } }, async (req, reply) => {
    const run = await runOf(req.params.id);
    const [summary, series] = await Promise.all([
      deps.store.getResult(run.id),
      deps.store.listSeries(run.id),
    ]);
    reply.header('content-disposition', `attachment; filename="${run.id}.json"`);
    return { run, summary, series };
  });
  app.get(
    '/api/v1/runs/:id/export.csv',
    {
      schema: {
        tags,
        params: runIdParams,
        querystring: z.object({ what: z.enum(['series', 'summary']).default('series') }),
      },
    },
    async (req, reply) => {
      const run = await runOf(req.params.id);
      const body =
        req.query.what === 'summary'
          ? summaryCsv(await summaryOf(run.id))
          : seriesCsv(await deps.store.listSeries(run.id));
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${run.id}-${req.query.what}.csv"`);
      return body;
    },
  );
  app.get('/api/v1/runs/:id/report.html', { schema: { tags, params: runIdParams } }, async (req, reply) => {
    const run = await runOf(req.params.id);
    const [summary, series] = await Promise.all([
      deps.store.getResult(run.id),
      deps.store.listSeries(run.id),
    ]);
    reply.header('content-type', 'text/html; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${run.id}.html"`);
    return renderHtmlReport({ run, summary, series, generatedAt: new Date().toISOString() });
  });
  app.get(
    '/api/v1/compare',
    {
      schema: {
        tags,
        querystring: z.object({
          ids: z
            .string()
            .transform((s) =>
              s
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean),
            )
            .pipe(z.array(z.string()).min(2, 'expected at least two run ids').max(10)),
        }),
      },
    },
    async (req) => {
      const items = [];
      for (const id of req.query.ids)
        items.push({ run: await runOf(id), summary: await deps.store.getResult(id) });
      return { runs: items, comparison: compareRuns(items) };
    },
  );
}
