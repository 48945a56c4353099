import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, StaffingPlan } from '@atrium/shared';
import type { Forecasting } from '../../forecasting.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

export interface StaffingRouteDeps {
  forecasting: Pick<Forecasting, 'staffing'>;
}

/** Recommended cleaners and security per floor and hour for the next 72 h, next to the roster. */
export const staffingRoutes: FastifyPluginAsyncZod<StaffingRouteDeps> = async (app, deps) => {
  app.get(
    '/api/v1/staffing/plan',
    { schema: { summary: 'Staffing plan from the newest forecast, compared with the roster (gap > 0: short)', response: { 200: StaffingPlan, ...apiErrors(401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return deps.forecasting.staffing.plan();
    },
  );
};
