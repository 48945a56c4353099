import type { SqlClient } from '../db/sql-client.ts';
import { composeAlert } from './alert-text.ts';
import type { PlannedAction, SentAlert } from './planner.ts';
import type { AlertEvent, MerchantAlert, Subscription } from '@atrium/shared';
import { enqueueDelivery } from './webhook-store.ts';

/** Alerts as sent (migration 4): one row per subscription, peak and lead time; an update bumps its version. */
export interface AlertStore {
  /** Alerts of a subscription whose peak is after `since`: what the planner matches against. */
  sentFor(subscriptionId: number, since: number): Promise<SentAlert[]>;
  /**
   * Writes the planned creates and updates and queues their webhook deliveries, all in one
   * transaction (an alert is never recorded as sent without its delivery, or the reverse).
   */
  apply(p: { subscription: Subscription; actions: readonly PlannedAction[]; shopName: string; timezone: string; forecastMadeAt: number; now: number }): Promise<AlertEvent[]>;
  listForShop(shopId: string, q: { limit: number; since?: number | undefined }): Promise<MerchantAlert[]>;
  listForMerchant(merchantId: string, q: { limit: number; since?: number | undefined }): Promise<MerchantAlert[]>;
}

interface Row {
  id: string | number;
  peak_id: string;
  lead_h: number;
  version: number;
  status: 'active' | 'cancelled';
  created_at: string | number;
  data: MerchantAlert;
}

export function createAlertStore(db: SqlClient, siteId: string, opts: { maxPendingPerMerchant?: number } = {}): AlertStore {
  const list = async (column: 'shop_id' | 'merchant_id', value: string, q: { limit: number; since?: number | undefined }) => {
    const { rows } = await db.query<{ data: MerchantAlert }>(
      `select data from merchant_alerts where site_id = $1 and ${column} = $2 and ($3::bigint is null or updated_at >= $3) order by updated_at desc, id desc limit $4`,
      [siteId, value, q.since ?? null, q.limit],
    );
    return rows.map((r) => r.data);
  };

  return {
    async sentFor(subscriptionId, since) {
      const { rows } = await db.query<Row>('select * from merchant_alerts where site_id = $1 and subscription_id = $2 and peak_at > $3 order by id', [siteId, subscriptionId, since]);
      return rows.map((r) => ({ id: Number(r.id), peakId: r.peak_id, leadH: r.lead_h, version: r.version, status: r.status, peak: r.data.peak }));
    },

    async apply({ subscription: sub, actions, shopName, timezone, forecastMadeAt, now }) {
      if (actions.length === 0) return [];
      return db.transaction(async (tx) => {
        const events: AlertEvent[] = [];
        for (const a of actions) {
          let alert: MerchantAlert;
          let event: AlertEvent['event'];
          const base = { subscriptionId: sub.id, merchantId: sub.merchantId, shopId: sub.shopId, shopName, timezone, threshold: sub.threshold, forecastMadeAt, updatedAt: now };
          if (a.kind === 'create') {
            const { rows } = await tx.query<{ id: string }>(`select nextval(pg_get_serial_sequence('merchant_alerts', 'id')) as id`);
            const id = Number(rows[0]!.id);
            alert = composeAlert({ ...base, id, version: 1, status: 'active', leadTimeH: a.leadH, peak: a.peak, createdAt: now });
            event = 'alert.created';
            await tx.query(
              `insert into merchant_alerts (id, site_id, subscription_id, merchant_id, shop_id, peak_id, lead_h, version, status, peak_at, data, created_at, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, 1, 'active', $8, $9, $10, $10)`,
              [id, siteId, sub.id, sub.merchantId, sub.shopId, a.peakId, a.leadH, a.peak.at, JSON.stringify(alert), now],
            );
          } else {
            const { rows } = await tx.query<Row>('select * from merchant_alerts where site_id = $1 and id = $2 and subscription_id = $3', [siteId, a.alertId, sub.id]);
            const row = rows[0];
            if (!row) continue; // deleted with its subscription meanwhile
            const version = row.version + 1;
            alert = composeAlert({ ...base, id: Number(row.id), version, status: a.status, leadTimeH: row.lead_h, peak: a.peak, createdAt: Number(row.created_at) });
            event = a.status === 'cancelled' ? 'alert.cancelled' : 'alert.updated';
            await tx.query('update merchant_alerts set version = $2, status = $3, peak_at = $4, data = $5, updated_at = $6 where id = $1', [
              row.id, version, a.status, a.peak.at, JSON.stringify(alert), now,
            ]);
          }
          const e: AlertEvent = { event, alert };
          events.push(e);
          if (sub.webhook) {
            await enqueueDelivery(tx, {
              siteId, alertId: alert.id, version: alert.version, subscriptionId: sub.id, merchantId: sub.merchantId, shopId: sub.shopId,
              url: sub.webhook.url, event, body: JSON.stringify(e), now, maxPending: opts.maxPendingPerMerchant,
            });
          }
        }
        return events;
      });
    },

    listForShop: (shopId, q) => list('shop_id', shopId, q),
    listForMerchant: (merchantId, q) => list('merchant_id', merchantId, q),
  };
}
