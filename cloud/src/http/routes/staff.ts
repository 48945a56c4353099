import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, EmptyBody, StaffMember, StaffParams, StaffPatchBody, StaffPutBody, ZoneCleaned, ZoneParams } from '@atrium/shared';
import { dispatchError } from '../../dispatch/errors.ts';
import { dispatchHttpError, Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

/** The roster: who works, in which roles and shifts, where they are and whether they are free. */
export const staffRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  const member = (staffId: string): StaffMember => {
    const found = deps.dispatch.roster().find((m) => m.id === staffId);
    if (!found) throw dispatchHttpError(dispatchError('STAFF_NOT_FOUND', staffId));
    return found;
  };

  app.get('/api/v1/staff', { schema: { summary: 'The roster', response: { 200: StaffMember.array(), ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, SITE_WIDE);
    return deps.opsStore.listStaff();
  });
  app.get(
    '/api/v1/staff/:staffId',
    { schema: { summary: 'One staff member (staff: themselves)', params: StaffParams, response: { 200: StaffMember, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      if (p.role === 'staff' && p.staffId !== req.params.staffId) throw new Errors.Forbidden('staff read only their own roster entry');
      return member(req.params.staffId);
    },
  );
  app.put(
    '/api/v1/staff/:staffId',
    { schema: { summary: 'Add or replace a staff member (roles, shifts)', params: StaffParams, body: StaffPutBody, response: { 200: StaffMember, ...apiErrors(400, 401, 403, 500, 503) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      if (req.body.id !== undefined && req.body.id !== req.params.staffId) throw new Errors.InvalidRequest(`body.id: "${req.body.id}" differs from the path's "${req.params.staffId}"`);
      const r = await deps.dispatch.command({ kind: 'upsert_staff', staff: { ...req.body, id: req.params.staffId } });
      if (!r.ok) throw dispatchHttpError(r.error);
      return member(req.params.staffId);
    },
  );
  // Staff update themselves from their phone (on a break, where they are); the control room anyone.
  app.patch(
    '/api/v1/staff/:staffId',
    { schema: { summary: 'Availability or location of a staff member', params: StaffParams, body: StaffPatchBody, response: { 200: StaffMember, ...apiErrors(400, 401, 403, 404, 500, 503) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      if (p.role === 'staff' && p.staffId !== req.params.staffId) throw new Errors.Forbidden('staff update only themselves');
      const r = await deps.dispatch.command({ kind: 'set_staff', staffId: req.params.staffId, ...req.body });
      if (!r.ok) throw dispatchHttpError(r.error);
      return member(req.params.staffId);
    },
  );
  // A routine cleaning round done outside any work order: the zone's counters restart, which
  // silences the zone's visit-count cleaning alarm, so only cleaners and supervisors on the
  // roster (and the control room) may log one.
  app.post(
    '/api/v1/zones/:zoneId/cleaned',
    { schema: { summary: 'Log a routine cleaning of a zone', params: ZoneParams, body: EmptyBody, response: { 200: ZoneCleaned, ...apiErrors(400, 401, 403, 404, 500, 503) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      if (p.role === 'staff') {
        const roles = deps.dispatch.roster().find((m) => m.id === p.staffId)?.roles ?? [];
        if (!roles.includes('cleaner') && !roles.includes('supervisor')) throw new Errors.Forbidden('only cleaners and supervisors log a cleaning round');
      }
      if (!deps.site.zones.some((z) => z.id === req.params.zoneId)) throw new Errors.ZoneNotFound(req.params.zoneId);
      const r = await deps.dispatch.command({ kind: 'cleaned', zoneId: req.params.zoneId, by: p.staffId ?? p.userId });
      if (!r.ok) throw dispatchHttpError(r.error);
      return { zoneId: req.params.zoneId, resetAt: Date.now() };
    },
  );
};
