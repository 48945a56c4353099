import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, ControlSummary, DeviceHealthQuery, DeviceHealthReport, EnvironmentQuery, EnvironmentReport } from '@atrium/shared';
import { controlSummary, MAX_OPEN_ORDERS, OPEN_ORDER_STATUSES } from '../../control/summary.ts';
import { deviceHealth } from '../../control/device-health.ts';
import { environmentReport } from '../../control/environment.ts';
import type { DeviceReports } from '../../control/device-reports.ts';
import { siteFacts } from '../../rules/subjects.ts';
import { Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

export type ControlRouteDeps = Pick<HttpDeps, 'site' | 'zones' | 'queries' | 'dispatch' | 'opsStore' | 'clock' | 'forecasting'> & { deviceReports: DeviceReports };

/**
 * The control room's overview: the header strip, device health per gateway and the environment
 * against the rules' thresholds. Thin: the cloud already knows all of it (live zone state, the
 * rules engine's silence and gateway state, the stores); control/ puts it in one shape.
 */
export const controlRoutes: FastifyPluginAsyncZod<ControlRouteDeps> = async (app, deps) => {
  const timeZone = deps.site.timezone;
  const facts = siteFacts(deps.site);

  app.get(
    '/api/v1/control/summary',
    { schema: { summary: 'The control-room header: people on site, today\'s entries against the forecast, open orders, SLA at risk and breached', response: { 200: ControlSummary, ...apiErrors(401, 403, 500, 503) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return controlSummary(
        {
          zones: () => deps.zones.all(),
          entranceTotals: (from, to) => deps.queries.totals('entrance', from, to),
          entranceForecasts: (from, to) => deps.forecasting.forecasts.atLead({ subjectKind: 'entrance', leadH: 24, from, to }),
          openOrders: () => deps.opsStore.listOrders({ status: OPEN_ORDER_STATUSES, limit: MAX_OPEN_ORDERS }),
        },
        deps.clock(),
        timeZone,
      );
    },
  );

  app.get(
    '/api/v1/control/devices',
    {
      schema: {
        summary: 'Device health per gateway: online / offline / unknown (behind a quiet gateway), battery, last seen',
        querystring: DeviceHealthQuery,
        response: { 200: DeviceHealthReport, ...apiErrors(400, 401, 403, 500) },
      },
    },
    async (req) => {
      requireRole(req, SITE_WIDE);
      const { gatewayId, status } = req.query;
      const report = deviceHealth({ site: deps.site, rules: deps.dispatch.snapshot().rules, reports: deps.deviceReports, now: deps.clock(), timeZone });
      if (gatewayId !== undefined && !report.gateways.some((g) => g.gatewayId === gatewayId)) {
        throw new Errors.InvalidRequest(`gatewayId: no gateway "${gatewayId}" on this site (it has: ${report.gateways.map((g) => g.gatewayId).join(', ')})`);
      }
      const gateways = report.gateways
        .filter((g) => gatewayId === undefined || g.gatewayId === gatewayId)
        .map((g) => (status ? { ...g, devices: g.devices.filter((d) => status.includes(d.status)) } : g));
      return { ...report, gateways };
    },
  );

  app.get(
    '/api/v1/control/environment',
    {
      schema: {
        summary: 'CO2, temperature, humidity, PM2.5 and noise per zone against the rules\' thresholds',
        querystring: EnvironmentQuery,
        response: { 200: EnvironmentReport, ...apiErrors(400, 401, 403, 500) },
      },
    },
    async (req) => {
      requireRole(req, SITE_WIDE);
      const { floorId } = req.query;
      if (floorId !== undefined && !deps.site.floors.some((f) => f.id === floorId)) {
        throw new Errors.InvalidRequest(`floorId: no floor "${floorId}" on this site (it has: ${deps.site.floors.map((f) => f.id).join(', ')})`);
      }
      return environmentReport({ site: deps.site, facts, rules: deps.dispatch.snapshot().rules, zones: deps.zones.all(), floorId, now: deps.clock(), timeZone });
    },
  );
};
