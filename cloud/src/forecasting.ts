import type { Logger } from 'pino';
import type { AlertEvent, RefreshSummary, SiteModel, StaffingConfigInput, StaffMember } from '@atrium/shared';
import { createCalendarStore, type CalendarStore } from './calendar/calendar-store.ts';
import type { SqlClient } from './db/sql-client.ts';
import type { ForecastCompute } from './forecast/compute.ts';
import { createForecastStore, type ForecastStore } from './forecast/forecast-store.ts';
import { createForecastRefresh, type ForecastRefresh, type RefreshOptions } from './forecast/refresh.ts';
import { createHourlyScheduler, systemClock, type HourlyScheduler, type TimerClock, type Wake } from './forecast/scheduler.ts';
import { createForecastReports, type ForecastReports } from './forecast/vs-actual.ts';
import { assertTimeZone } from './forecast/zone-clock.ts';
import { createAlertStore, type AlertStore } from './merchants/alert-store.ts';
import { createMerchantAlerts, type MerchantAlerts } from './merchants/alerts.ts';
import type { PlannerConfig } from './merchants/planner.ts';
import type { RetryPolicy } from './merchants/retry-policy.ts';
import { createSubscriptionStore, type SubscriptionStore } from './merchants/subscription-store.ts';
import { createAddressPolicy } from './merchants/webhook-address.ts';
import { createWebhookDispatcher, type DeliveryLimits, type WebhookDispatcher } from './merchants/webhook-dispatcher.ts';
import type { Resolve } from './merchants/webhook-http.ts';
import { createWebhookStore, type WebhookStore } from './merchants/webhook-store.ts';
import type { SeriesStore } from './series/series-store.ts';
import { createStaffingPlanner, type StaffingPlanner } from './staffing/plan.ts';

/**
 * Forecasting, the operator's calendar, merchant alerts and the staffing plan as one service
 * unit: stores on the operational database and the hourly cycle (refresh → alert planner →
 * webhooks). It knows nothing of HTTP (http/app.ts mounts its routes) and does not migrate
 * the database (the wiring root does, before building it). It lives beside cloud.ts, not in
 * forecast/, because it composes folders that depend on forecast/.
 */
export interface ForecastingDeps {
  /** a migrated operational database */
  sql: SqlClient;
  site: SiteModel;
  series: Pick<SeriesStore, 'footfall' | 'footfallHours'>;
  logger: Logger;
  /** the roster for the staffing plan (e.g. () => opsStore.listStaff()) */
  roster: () => Promise<StaffMember[]>;
  /** default: the real clock */
  clock?: TimerClock;
  /** where the refresh computes forecasts (default: a worker thread per run, off the event loop) */
  compute?: () => ForecastCompute;
  options?: {
    refresh?: Partial<RefreshOptions>;
    planner?: Partial<PlannerConfig>;
    retry?: Partial<RetryPolicy>;
    /** where webhooks may go and how much of the dispatcher one merchant may hold */
    webhooks?: WebhookOptions;
    staffing?: StaffingConfigInput;
    /** how long after the hour the hourly run starts (ms, default 2 min) */
    offsetMs?: number;
  };
}

export interface WebhookOptions {
  /** ranges the operator allows beyond public addresses (config.webhooks.allowPrivate) */
  allowPrivate?: readonly string[];
  limits?: Partial<DeliveryLimits>;
  /** deliveries one merchant may have waiting; more are logged as failed, not queued */
  maxPendingPerMerchant?: number;
  /** default: the system resolver (tests inject one only for names DNS cannot be made to answer) */
  resolve?: Resolve;
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
  /** the unit's clock (the simulated one in an accelerated demo): what "now" means to its routes */
  now(): number;
  /** In-app delivery hook; connect it to socket.io with emitMerchantAlert (merchants/live.ts). */
  onAlert(listener: (e: AlertEvent) => void): () => void;
  /** One cycle: refresh (unless it is a quiet-hours wake), then plan alerts. What the scheduler runs. */
  cycle(now: number, reason?: Wake): Promise<RefreshSummary | null>;
  start(): void;
  stop(): Promise<void>;
}

export function createForecasting(deps: ForecastingDeps): Forecasting {
  assertTimeZone(deps.site.timezone);
  const clock = deps.clock ?? systemClock;
  const siteId = deps.site.id;
  const logger = deps.logger.child({ component: 'forecasting' });
  const calendar = createCalendarStore(deps.sql, siteId);
  const forecasts = createForecastStore(deps.sql, siteId);
  const hooks = deps.options?.webhooks ?? {};
  const addresses = createAddressPolicy(hooks.allowPrivate ?? []);
  const subscriptions = createSubscriptionStore(deps.sql, siteId, { addresses });
  const alertStore = createAlertStore(deps.sql, siteId, { maxPendingPerMerchant: hooks.maxPendingPerMerchant });
  const webhooks = createWebhookStore(deps.sql, siteId);
  const refresh = createForecastRefresh({ site: deps.site, series: deps.series, forecasts, calendar, logger, options: deps.options?.refresh, ...(deps.compute ? { compute: deps.compute } : {}) });
  const dispatcher = createWebhookDispatcher({
    store: webhooks,
    secretOf: (id) => subscriptions.secretOf(id),
    clock,
    logger: logger.child({ part: 'webhooks' }),
    policy: deps.options?.retry,
    addresses,
    limits: hooks.limits,
    ...(hooks.resolve ? { resolve: hooks.resolve } : {}),
  });
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
    now: () => clock.now(),
    onAlert: (l) => alerts.onAlert(l),
    cycle,
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
