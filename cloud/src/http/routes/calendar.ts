import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, CalendarEntry, CalendarEntryInput, CalendarEntryParams, CalendarQuery, NoContent } from '@atrium/shared';
import { Errors } from '../../errors.ts';
import type { Forecasting } from '../../forecasting.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

export interface CalendarRouteDeps {
  forecasting: Pick<Forecasting, 'calendar' | 'now'>;
}

const EDITORS = ['admin', 'operator'] as const;

/** The operator's holiday/event calendar; the next forecast refresh uses whatever is here. */
export const calendarRoutes: FastifyPluginAsyncZod<CalendarRouteDeps> = async (app, deps) => {
  app.get(
    '/api/v1/calendar',
    { schema: { summary: 'Holidays and events the forecaster knows, by date', querystring: CalendarQuery, response: { 200: CalendarEntry.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, [...SITE_WIDE, 'merchant']);
      return deps.forecasting.calendar.list(req.query);
    },
  );
  app.post(
    '/api/v1/calendar',
    { schema: { summary: 'Add a holiday or event (used from the next forecast refresh on)', body: CalendarEntryInput, response: { 201: CalendarEntry, ...apiErrors(400, 401, 403, 409, 500) } } },
    async (req, reply) => {
      const p = requireRole(req, EDITORS);
      return reply.code(201).send(await deps.forecasting.calendar.add(req.body, p.userId, deps.forecasting.now()));
    },
  );
  app.delete(
    '/api/v1/calendar/:id',
    { schema: { summary: 'Remove a holiday or event', params: CalendarEntryParams, response: { 204: NoContent, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req, reply) => {
      requireRole(req, EDITORS);
      if (!(await deps.forecasting.calendar.remove(req.params.id))) throw new Errors.CalendarEntryNotFound(req.params.id);
      return reply.code(204).send();
    },
  );
};
