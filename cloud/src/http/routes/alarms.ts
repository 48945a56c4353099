import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZoneId } from '@atrium/shared';
import { dispatchError } from '../../dispatch/errors.ts';
import { dispatchHttpError } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';
import { csvOf, EpochMs, Limit, Note } from '../query.ts';

const AlarmParams = z.object({ alarmId: z.string().min(1).max(64) });
const NoteBody = z.object({ note: Note.optional() }).default({});

/** The control room's alarms: list, one with its history, acknowledge, clear by hand. */
export const alarmRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get(
    '/api/v1/alarms',
    {
      schema: {
        summary: 'Alarms, newest first',
        querystring: z.object({ status: csvOf(['raised', 'acknowledged', 'cleared']).optional(), zoneId: ZoneId.optional(), type: z.string().optional(), from: EpochMs.optional(), to: EpochMs.optional(), limit: Limit }),
      },
    },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return deps.opsStore.listAlarms(req.query);
    },
  );
  app.get('/api/v1/alarms/:alarmId', { schema: { summary: 'One alarm with its history', params: AlarmParams } }, async (req) => {
    requireRole(req, SITE_WIDE);
    const alarm = await deps.opsStore.getAlarm(req.params.alarmId);
    if (!alarm) throw dispatchHttpError(dispatchError('ALARM_NOT_FOUND', req.params.alarmId));
    return alarm;
  });
  for (const action of ['acknowledge', 'clear'] as const) {
    app.post(`/api/v1/alarms/:alarmId/${action}`, { schema: { summary: `${action === 'clear' ? 'Clear' : 'Acknowledge'} an alarm`, params: AlarmParams, body: NoteBody } }, async (req) => {
      const p = requireRole(req, SITE_WIDE);
      const r = await deps.dispatch.command({ kind: action === 'clear' ? 'clear_alarm' : 'acknowledge_alarm', alarmId: req.params.alarmId, by: p.staffId ?? p.userId, ...(req.body.note ? { note: req.body.note } : {}) });
      if (!r.ok) throw dispatchHttpError(r.error);
      return (await deps.opsStore.getAlarm(req.params.alarmId)) ?? {};
    });
  }
};
