import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Slug, ZoneId } from '@atrium/shared';
import { dispatchError } from '../../dispatch/errors.ts';
import { dispatchHttpError, Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

const StaffParams = z.object({ staffId: Slug });

/** The roster: who works, in which roles and shifts, where they are and whether they are free. */
export const staffRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get('/api/v1/staff', { schema: { summary: 'The roster' } }, async (req) => {
    requireRole(req, SITE_WIDE);
    return deps.opsStore.listStaff();
  });
  app.get('/api/v1/staff/:staffId', { schema: { summary: 'One staff member (staff: themselves)', params: StaffParams } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'staff']);
    if (p.role === 'staff' && p.staffId !== req.params.staffId) throw new Errors.Forbidden('staff read only their own roster entry');
    const member = deps.dispatch.roster().find((m) => m.id === req.params.staffId);
    if (!member) throw dispatchHttpError(dispatchError('STAFF_NOT_FOUND', req.params.staffId));
    return member;
  });
  // The body is checked by the engine's StaffMember schema so the rules live in one place.
  app.put('/api/v1/staff/:staffId', { schema: { summary: 'Add or replace a staff member (roles, shifts)', params: StaffParams, body: z.record(z.string(), z.unknown()) } }, async (req) => {
    requireRole(req, SITE_WIDE);
    if (req.body.id !== undefined && req.body.id !== req.params.staffId) throw new Errors.InvalidRequest(`body.id: "${String(req.body.id)}" differs from the path's "${req.params.staffId}"`);
    const r = await deps.dispatch.command({ kind: 'upsert_staff', staff: { ...req.body, id: req.params.staffId } });
    if (!r.ok) throw dispatchHttpError(r.error);
    return deps.dispatch.roster().find((m) => m.id === req.params.staffId);
  });
  // Staff update themselves from their phone (on a break, where they are); the control room anyone.
  app.patch('/api/v1/staff/:staffId', { schema: { summary: 'Availability or location of a staff member', params: StaffParams, body: z.object({ available: z.boolean().optional(), zoneId: ZoneId.nullable().optional() }) } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'staff']);
    if (p.role === 'staff' && p.staffId !== req.params.staffId) throw new Errors.Forbidden('staff update only themselves');
    const r = await deps.dispatch.command({ kind: 'set_staff', staffId: req.params.staffId, ...req.body });
    if (!r.ok) throw dispatchHttpError(r.error);
    return deps.dispatch.roster().find((m) => m.id === req.params.staffId);
  });
  // A routine cleaning round done outside any work order: the zone's counters restart.
  app.post('/api/v1/zones/:zoneId/cleaned', { schema: { summary: 'Log a routine cleaning of a zone', params: z.object({ zoneId: ZoneId }) } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'staff']);
    if (!deps.site.zones.some((z) => z.id === req.params.zoneId)) throw new Errors.ZoneNotFound(req.params.zoneId);
    const r = await deps.dispatch.command({ kind: 'cleaned', zoneId: req.params.zoneId, by: p.staffId ?? p.userId });
    if (!r.ok) throw dispatchHttpError(r.error);
    return { zoneId: req.params.zoneId, resetAt: Date.now() };
  });
};
