import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import type { ForecastStore } from '../forecast/forecast-store.ts';
import type { AlertStore } from './alert-store.ts';
import { planAlerts, type PlannerConfig } from './planner.ts';
import type { AlertEvent } from '@atrium/shared';
import type { SubscriptionStore } from './subscription-store.ts';

/**
 * Runs the planner for every enabled subscription against the newest shop forecasts, stores
 * what it decides (with the webhook deliveries), then tells the in-app listeners. Listeners
 * hear only what was committed; webhooks go out through the dispatcher's queue.
 */
export interface MerchantAlerts {
  run(now: number): Promise<{ events: AlertEvent[]; deferredUntil: number | null }>;
  /** In-app delivery hook (the lead connects it to socket.io: merchants/live.ts). Returns an unsubscribe function. */
  onAlert(listener: (e: AlertEvent) => void): () => void;
}

const LOOKBACK_MS = 24 * 3_600_000;

export function createMerchantAlerts(deps: {
  site: SiteModel;
  forecasts: ForecastStore;
  subscriptions: SubscriptionStore;
  alerts: AlertStore;
  logger: Logger;
  planner?: Partial<PlannerConfig>;
  /** called after deliveries were queued (the webhook dispatcher's kick) */
  onQueued?: () => void;
}): MerchantAlerts {
  const listeners = new Set<(e: AlertEvent) => void>();
  const shops = new Map(deps.site.shops.map((s) => [s.id, s]));

  return {
    async run(now) {
      const subs = await deps.subscriptions.listEnabled();
      if (subs.length === 0) return { events: [], deferredUntil: null };
      const forecasts = new Map((await deps.forecasts.latest({ subjectKind: 'shop' })).map((f) => [f.subjectId, f]));
      const events: AlertEvent[] = [];
      let deferredUntil: number | null = null;
      for (const sub of subs) {
        const shop = shops.get(sub.shopId);
        if (!shop) continue; // a shop removed from the site model keeps its rows but gets no alerts
        const forecast = forecasts.get(sub.shopId) ?? null;
        try {
          const sent = await deps.alerts.sentFor(sub.id, now - LOOKBACK_MS);
          const plan = planAlerts({ forecast, subscription: sub, sent, now, timeZone: deps.site.timezone, config: deps.planner });
          if (plan.deferredUntil !== null) deferredUntil = Math.min(deferredUntil ?? Number.POSITIVE_INFINITY, plan.deferredUntil);
          if (plan.actions.length === 0 || !forecast) continue;
          const applied = await deps.alerts.apply({ subscription: sub, actions: plan.actions, shopName: shop.name, timezone: deps.site.timezone, forecastMadeAt: forecast.madeAt, now });
          events.push(...applied);
        } catch (err) {
          // One subscription's trouble (a row deleted mid-run, a constraint) must not hold back the others.
          deps.logger.error({ err, subscription: sub.id }, 'planning alerts for a subscription failed; retried next hour');
        }
      }
      if (events.length > 0) {
        deps.logger.info({ alerts: events.length, deferredUntil }, 'merchant alerts sent');
        if (events.some((e) => subs.find((s) => s.id === e.alert.subscriptionId)?.webhook)) deps.onQueued?.();
      }
      for (const e of events) {
        for (const l of listeners) {
          try {
            l(e);
          } catch (err) {
            deps.logger.error({ err }, 'an alert listener failed');
          }
        }
      }
      return { events, deferredUntil };
    },
    onAlert(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
