import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, SlaReportQuery, SlaRow, TextBody } from '@atrium/shared';
import { slaReport, slaReportCsv } from '../../dispatch/report.ts';
import { Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

const MAX_REPORT_MS = 366 * 24 * 3600_000;

/** SLA compliance and mean times to accept, arrive and resolve, per type and local day. */
export const reportRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get(
    '/api/v1/reports/sla',
    {
      schema: {
        summary: 'SLA report per order type and day (JSON, or CSV with format=csv)',
        querystring: SlaReportQuery,
        response: { 200: { content: { 'application/json': { schema: SlaRow.array() }, 'text/csv': { schema: TextBody } } }, ...apiErrors(400, 401, 403, 500) },
      },
    },
    async (req, reply) => {
      requireRole(req, SITE_WIDE);
      const { from, to, format } = req.query;
      if (to <= from) throw new Errors.InvalidRequest('to: must be after from');
      if (to - from > MAX_REPORT_MS) throw new Errors.InvalidRequest('to: a report spans at most 366 days');
      const rows = slaReport(await deps.opsStore.ordersForReport({ from, to }), { timezone: deps.site.timezone, asOf: deps.clock() });
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sla-report.csv"').send(slaReportCsv(rows));
      return reply.type('application/json; charset=utf-8').send(rows);
    },
  );
};
