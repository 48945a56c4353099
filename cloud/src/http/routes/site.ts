import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, ROLES, SiteClockReading, SiteModel, ZoneLive, ZoneParams } from '@atrium/shared';
import { Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

export const siteRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get('/api/v1/site', { schema: { summary: 'The site model: floors, zones, shops, devices', response: { 200: SiteModel, ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, [...SITE_WIDE, 'staff']);
    return deps.site;
  });

  app.get('/api/v1/clock', { schema: { summary: "The site's clock, its rate and time zone: what every countdown on a page counts on", response: { 200: SiteClockReading, ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, ROLES);
    return deps.siteClock.reading();
  });

  app.get('/api/v1/zones/live', { schema: { summary: 'Live state of every zone', response: { 200: ZoneLive.array(), ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, SITE_WIDE);
    return deps.zones.all();
  });

  app.get(
    '/api/v1/zones/:zoneId/live',
    { schema: { summary: 'Live state of one zone', params: ZoneParams, response: { 200: ZoneLive, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      const zone = deps.zones.get(req.params.zoneId);
      if (!zone) throw new Errors.ZoneNotFound(req.params.zoneId);
      return zone;
    },
  );
};
