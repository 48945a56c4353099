import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Alarm, AlarmActionBody, AlarmListQuery, AlarmParams, apiErrors } from '@atrium/shared';
import { dispatchError } from '../../dispatch/errors.ts';
import { dispatchHttpError } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

/** The control room's alarms: list, one with its history, acknowledge, clear by hand. */
export const alarmRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get(
    '/api/v1/alarms',
    { schema: { summary: 'Alarms, newest first', querystring: AlarmListQuery, response: { 200: Alarm.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return deps.opsStore.listAlarms(req.query);
    },
  );
  app.get(
    '/api/v1/alarms/:alarmId',
    { schema: { summary: 'One alarm with its history', params: AlarmParams, response: { 200: Alarm, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      const alarm = await deps.opsStore.getAlarm(req.params.alarmId);
      if (!alarm) throw dispatchHttpError(dispatchError('ALARM_NOT_FOUND', req.params.alarmId));
      return alarm;
    },
  );
  for (const action of ['acknowledge', 'clear'] as const) {
    app.post(
      `/api/v1/alarms/:alarmId/${action}`,
      {
        schema: {
          summary: `${action === 'clear' ? 'Clear' : 'Acknowledge'} an alarm`,
          params: AlarmParams,
          body: AlarmActionBody,
          response: { 200: Alarm, ...apiErrors(400, 401, 403, 404, 409, 500, 503) },
        },
      },
      async (req) => {
        const p = requireRole(req, SITE_WIDE);
        const r = await deps.dispatch.command({ kind: action === 'clear' ? 'clear_alarm' : 'acknowledge_alarm', alarmId: req.params.alarmId, by: p.staffId ?? p.userId, ...(req.body.note ? { note: req.body.note } : {}) });
        if (!r.ok) throw dispatchHttpError(r.error);
        const alarm = await deps.opsStore.getAlarm(req.params.alarmId);
        if (!alarm) throw dispatchHttpError(dispatchError('ALARM_NOT_FOUND', req.params.alarmId));
        return alarm;
      },
    );
  }
};
