import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Accuracy, AccuracyQuery, apiErrors, EmptyBody, RefreshSummary, RunInfo, SeriesParams, StoredSeriesForecast, SubjectKind, VsActual, VsActualQuery, type SiteModel } from '@atrium/shared';
import type { FastifyRequest } from 'fastify';
import { Errors } from '../../errors.ts';
import type { Forecasting } from '../../forecasting.ts';
import { requireRole, requireShopAccess, SITE_WIDE } from '../auth.ts';

export interface ForecastRouteDeps {
  site: SiteModel;
  forecasting: Pick<Forecasting, 'forecasts' | 'reports' | 'cycle' | 'now'>;
}

const DAY = 24 * 3_600_000;

/** Zones and entrances are the control room's; a shop is also its merchant's. Unknown ids are 404. */
function requireSeriesAccess(req: FastifyRequest, site: SiteModel, kind: SubjectKind, id: string): void {
  if (kind === 'shop') {
    requireShopAccess(req, site, id);
    return;
  }
  requireRole(req, SITE_WIDE);
  const known = kind === 'zone' ? site.zones.some((z) => z.id === id) : site.entrances.some((e) => e.id === id);
  if (!known) throw new Errors.SeriesNotFound(kind, id);
}

/** Forecasts, forecast vs actual and live accuracy, per zone, entrance and shop. */
export const forecastRoutes: FastifyPluginAsyncZod<ForecastRouteDeps> = async (app, deps) => {
  const { forecasts, reports } = deps.forecasting;
  app.get('/api/v1/forecasts/status', { schema: { summary: 'The newest forecast run (null before the first)', response: { 200: RunInfo.nullable(), ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, SITE_WIDE);
    return forecasts.latestRun();
  });

  app.post(
    '/api/v1/forecasts/refresh',
    { schema: { summary: 'Refresh every forecast now (normally hourly)', body: EmptyBody, response: { 200: RefreshSummary, ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
    requireRole(req, ['admin', 'operator']);
    // A refresh, then the alert planner after it, as the hourly run does.
    return (await deps.forecasting.cycle(deps.forecasting.now()))!;
    },
  );

  app.get(
    '/api/v1/forecasts/accuracy',
    { schema: { summary: 'Live accuracy (WAPE of the 24 h and 72 h forecasts over the last 4 weeks) of every series of a kind', querystring: AccuracyQuery, response: { 200: Accuracy.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return reports.accuracy({ now: deps.forecasting.now(), subjectKind: req.query.subjectKind });
    },
  );

  app.get(
    '/api/v1/forecasts/:subjectKind/:subjectId',
    { schema: { summary: 'The newest forecast of one series: next 72 h, 80%/95% intervals, the usual, confidence', params: SeriesParams, response: { 200: StoredSeriesForecast, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      const { subjectKind, subjectId } = req.params;
      requireSeriesAccess(req, deps.site, subjectKind, subjectId);
      const [latest] = await forecasts.latest({ subjectKind, subjectId });
      if (!latest) throw new Errors.ForecastNotReady(`${subjectKind} "${subjectId}"`);
      return latest;
    },
  );

  app.get(
    '/api/v1/forecasts/:subjectKind/:subjectId/vs-actual',
    {
      schema: {
        summary: 'Per hour: the forecast made 24 h and 72 h earlier next to the counted footfall (default: the last 7 days)',
        params: SeriesParams,
        querystring: VsActualQuery,
        response: { 200: VsActual, ...apiErrors(400, 401, 403, 404, 500) },
      },
    },
    async (req) => {
      const { subjectKind, subjectId } = req.params;
      requireSeriesAccess(req, deps.site, subjectKind, subjectId);
      const now = deps.forecasting.now();
      const to = req.query.to ?? now;
      const from = req.query.from ?? to - 7 * DAY;
      const [hours, [accuracy]] = await Promise.all([
        reports.vsActual({ subjectKind, subjectId, from, to }),
        reports.accuracy({ now, subjectKind, subjectId }),
      ]);
      return { hours, accuracy: accuracy! };
    },
  );
};
