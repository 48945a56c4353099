import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { createCalendarStore, type CalendarStore } from '../calendar/calendar-store.ts';
import { migrate } from '../db/migrate.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { StaffMember } from '../dispatch/roster.ts';
import { calendarRoutes } from '../http/routes/calendar.ts';
import { forecastRoutes } from '../http/routes/forecast.ts';
import { merchantRoutes } from '../http/routes/merchants.ts';
import { staffingRoutes } from '../http/routes/staffing.ts';
import { createAlertStore, type AlertStore } from '../merchants/alert-store.ts';
import { createMerchantAlerts, type MerchantAlerts } from '../merchants/alerts.ts';
import type { PlannerConfig } from '../merchants/planner.ts';
import type { RetryPolicy } from '../merchants/retry-policy.ts';
import type { AlertEvent } from '../merchants/schema.ts';
import { createSubscriptionStore, type SubscriptionStore } from '../merchants/subscription-store.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from '../merchants/webhook-dispatcher.ts';
import { createWebhookStore, type WebhookStore } from '../merchants/webhook-store.ts';
import type { SeriesQueries } from '../series/queries.ts';
import type { SeriesStore } from '../series/series-store.ts';
import type { StaffingConfigInput } from '../staffing/config.ts';
import { createStaffingPlanner, type StaffingPlanner } from '../staffing/plan.ts';
import { createForecastStore, type ForecastStore } from './forecast-store.ts';
import { createForecastRefresh, type ForecastRefresh, type RefreshOptions, type RefreshSummary } from './refresh.ts';
import { createHourlyScheduler, systemClock, type HourlyScheduler, type TimerClock, type Wake } from './scheduler.ts';
import { createForecastReports, type ForecastReports } from './vs-actual.ts';
import { assertTimeZone } from './zone-clock.ts';

/**
 * Forecasting, merchant alerts and the staffing plan as one unit for the cloud's wiring:
 * stores on the operational database, the hourly cycle (refresh → alert planner → webhooks),
 * the in-app alert hook and one route plugin. Every part is also exported on its own.
 */
export interface ForecastingDeps {
  sql: SqlClient;
  site: SiteModel;
  series: Pick<SeriesStore, 'footfall'>;
  queries: Pick<SeriesQueries, 'footfall'>;
  logger: Logger;
  /** the roster for the staffing plan (e.g. () => opsStore.listStaff()) */
  roster: () => Promise<StaffMember[]>;
  /** default: the real clock */
  clock?: TimerClock;
  options?: {
    refresh?: Partial<RefreshOptions>;
    planner?: Partial<PlannerConfig>;
    retry?: Partial<RetryPolicy>;
    staffing?: StaffingConfigInput;
    /** how long after the hour the hourly run starts (ms, default 2 min) */
    offsetMs?: number;
  };
}

export interface Forecasting {
  calendar: CalendarStore;
  forecasts: ForecastStore;
  subscriptions: SubscriptionStore;
  alertStore: AlertStore;
  webhooks: WebhookStore;
  refresh: ForecastRefresh;
  alerts: MerchantAlerts;
  dispatcher: WebhookDispatcher;
  scheduler: HourlyScheduler;
  reports: ForecastReports;
  staffing: StaffingPlanner;
  /** In-app delivery hook; connect it to socket.io with emitMerchantAlert (merchants/live.ts). */
  onAlert(listener: (e: AlertEvent) => void): () => void;
  /** One cycle: refresh (unless it is a quiet-hours wake), then plan alerts. What the scheduler runs. */
  cycle(now: number, reason?: Wake): Promise<RefreshSummary | null>;
  /** Every route: calendar, forecasts, merchants, staffing (needs the auth plugin registered before it). */
  routes: FastifyPluginAsync;
  start(): void;
  stop(): Promise<void>;
}

export async function createForecasting(deps: ForecastingDeps): Promise<Forecasting> {
  assertTimeZone(deps.site.timezone);
  await migrate(deps.sql);
  const clock = deps.clock ?? systemClock;
  const siteId = deps.site.id;
  const logger = deps.logger.child({ component: 'forecasting' });
  const calendar = createCalendarStore(deps.sql, siteId);
  const forecasts = createForecastStore(deps.sql, siteId);
  const subscriptions = createSubscriptionStore(deps.sql, siteId);
  const alertStore = createAlertStore(deps.sql, siteId);
  const webhooks = createWebhookStore(deps.sql, siteId);
  const refresh = createForecastRefresh({ site: deps.site, series: deps.series, forecasts, calendar, logger, options: deps.options?.refresh });
  const dispatcher = createWebhookDispatcher({ store: webhooks, secretOf: (id) => subscriptions.secretOf(id), clock, logger: logger.child({ part: 'webhooks' }), policy: deps.options?.retry });
  const alerts = createMerchantAlerts({ site: deps.site, forecasts, subscriptions, alerts: alertStore, logger, planner: deps.options?.planner, onQueued: () => dispatcher.kick() });
  const reports = createForecastReports({ site: deps.site, series: deps.series, forecasts });
  const staffing = createStaffingPlanner({ site: deps.site, forecasts, roster: deps.roster, config: deps.options?.staffing });

  let scheduler: HourlyScheduler;
  const cycle = async (now: number, reason: Wake = 'hourly') => {
    const summary = reason === 'hourly' ? await refresh.run(now) : null;
    const { deferredUntil } = await alerts.run(now);
    if (deferredUntil !== null) scheduler.wakeAt(deferredUntil);
    return summary;
  };
  scheduler = createHourlyScheduler({ clock, task: cycle, logger, offsetMs: deps.options?.offsetMs });

  const now = () => clock.now();
  const routes: FastifyPluginAsync = async (app) => {
    const zapp = app.withTypeProvider<ZodTypeProvider>();
    await zapp.register(calendarRoutes, { calendar, clock: now });
    await zapp.register(forecastRoutes, { site: deps.site, forecasts, reports, clock: now, refreshNow: async () => (await cycle(now()))! });
    await zapp.register(merchantRoutes, { site: deps.site, queries: deps.queries, subscriptions, alerts: alertStore, webhooks, clock: now });
    await zapp.register(staffingRoutes, { staffing });
  };

  return {
    calendar,
    forecasts,
    subscriptions,
    alertStore,
    webhooks,
    refresh,
    alerts,
    dispatcher,
    scheduler,
    reports,
    staffing,
    onAlert: (l) => alerts.onAlert(l),
    cycle,
    routes,
    start() {
      dispatcher.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await dispatcher.stop();
    },
  };
}
