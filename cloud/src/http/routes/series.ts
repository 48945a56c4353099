import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, EnvPoint, EnvQuery, FootfallPoint, FootfallQuery, FootfallTotal, FootfallTotalsQuery, type SiteModel, type SubjectKind } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';
import type { QueryWidth } from '../../series/queries.ts';
import { requireRole, requireShopAccess, SITE_WIDE } from '../auth.ts';
import { Errors } from '../../errors.ts';

export const seriesRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, { queries, site }) => {
  app.get(
    '/api/v1/series/footfall',
    { schema: { summary: 'Footfall (line crossings in/out) per subject and time bucket', querystring: FootfallQuery, response: { 200: FootfallPoint.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      // A merchant reads their own shops' traffic and nothing else.
      if (req.principal?.role === 'merchant') {
        if (req.query.subjectKind !== 'shop' || !req.query.subjectId) throw new Errors.Forbidden('merchants read footfall of their own shops only: subjectKind=shop&subjectId=<shop>');
        requireShopAccess(req, site, req.query.subjectId);
      } else requireRole(req, SITE_WIDE);
      return queries.footfall(req.query, req.query.subjectId ? undefined : footfallWidth(site, req.query.subjectKind));
    },
  );
  app.get(
    '/api/v1/series/footfall/totals',
    { schema: { summary: 'Total footfall per subject over a range (epoch ms)', querystring: FootfallTotalsQuery, response: { 200: FootfallTotal.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return queries.totals(req.query.subjectKind, req.query.from, req.query.to);
    },
  );
  app.get(
    '/api/v1/series/env',
    { schema: { summary: 'Environment metric per zone and time bucket', querystring: EnvQuery, response: { 200: EnvPoint.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return queries.env(req.query, req.query.zoneId ? undefined : { subjects: site.zones.length, field: 'zoneId', noun: 'zones' });
    },
  );
};

/** A footfall query without a subject reads every subject of its kind on the site. */
function footfallWidth(site: SiteModel, kind: SubjectKind): QueryWidth {
  const of = { zone: [site.zones.length, 'zones'], entrance: [site.entrances.length, 'entrances'], shop: [site.shops.length, 'shops'] } as const;
  const [subjects, noun] = of[kind];
  return { subjects, field: 'subjectId', noun };
}
