import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import type { AlertEventName, DeliveryAttempt, WebhookDelivery } from '@atrium/shared';

/**
 * Webhook deliveries (migration 4): the retry queue and the delivery log in one. A pending row
 * with `next_attempt_at` is work to do, so a restart loses nothing; every attempt is a row of
 * webhook_attempts, which is what merchants read back through the API.
 */
export interface DueDelivery {
  id: number;
  subscriptionId: number;
  url: string;
  event: AlertEventName;
  body: string;
  idempotencyKey: string;
  attempts: number;
}

export interface WebhookStore {
  /** Pending deliveries due at `now`, oldest first; each is leased until `leaseUntil` so a crash mid-send retries it later. */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]>;
  recordAttempt(id: number, attempt: DeliveryAttempt, next: { status: WebhookDelivery['status']; nextAttemptAt: number | null; lastError: string | null }): Promise<void>;
  /** When the earliest pending delivery is due (null: nothing pending). */
  nextDueAt(): Promise<number | null>;
  listForShop(shopId: string, limit: number): Promise<WebhookDelivery[]>;
  get(p: { id: number; shopId: string }): Promise<WebhookDelivery | null>;
}

export const idempotencyKeyOf = (alertId: number, version: number): string => `atrium-alert-${alertId}-v${version}`;

/** Queues one alert version for a webhook inside the caller's transaction; older versions still pending are superseded (no stale news). */
export async function enqueueDelivery(
  tx: SqlTx,
  d: { siteId: string; alertId: number; version: number; subscriptionId: number; merchantId: string; shopId: string; url: string; event: AlertEventName; body: string; now: number },
): Promise<void> {
  await tx.query(
    `update webhook_deliveries set status = 'superseded', next_attempt_at = null, updated_at = $3 where site_id = $1 and alert_id = $2 and status = 'pending'`,
    [d.siteId, d.alertId, d.now],
  );
  await tx.query(
    `insert into webhook_deliveries (site_id, alert_id, alert_version, subscription_id, merchant_id, shop_id, url, event, body, idempotency_key, status, attempts, next_attempt_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, $11, $11)`,
    [d.siteId, d.alertId, d.version, d.subscriptionId, d.merchantId, d.shopId, d.url, d.event, d.body, idempotencyKeyOf(d.alertId, d.version), d.now],
  );
}

interface Row {
  id: string | number;
  alert_id: string | number;
  alert_version: number;
  subscription_id: string | number;
  shop_id: string;
  url: string;
  event: AlertEventName;
  idempotency_key: string;
  status: WebhookDelivery['status'];
  next_attempt_at: string | number | null;
  last_error: string | null;
  created_at: string | number;
  updated_at: string | number;
  attempts_log: { attempt: number; at: number; duration_ms: number; status_code: number | null; outcome: DeliveryAttempt['outcome']; error: string | null }[] | null;
}

const toDelivery = (r: Row): WebhookDelivery => ({
  id: Number(r.id),
  alertId: Number(r.alert_id),
  alertVersion: r.alert_version,
  subscriptionId: Number(r.subscription_id),
  shopId: r.shop_id,
  url: r.url,
  event: r.event,
  idempotencyKey: r.idempotency_key,
  status: r.status,
  attempts: (r.attempts_log ?? []).map((a) => ({ attempt: a.attempt, at: Number(a.at), durationMs: a.duration_ms, statusCode: a.status_code, outcome: a.outcome, error: a.error })),
  nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const WITH_ATTEMPTS = `
  select d.*, (select jsonb_agg(to_jsonb(a) order by a.attempt) from webhook_attempts a where a.delivery_id = d.id) as attempts_log
    from webhook_deliveries d`;

export function createWebhookStore(db: SqlClient, siteId: string): WebhookStore {
  return {
    async claimDue(now, leaseUntil, limit) {
      // One statement picks and leases, so two dispatchers on one PostgreSQL never send the same row twice.
      const { rows } = await db.query<{ id: string; subscription_id: string; url: string; event: AlertEventName; body: string; idempotency_key: string; attempts: number }>(
        `update webhook_deliveries set next_attempt_at = $3
          where id in (select id from webhook_deliveries where site_id = $1 and status = 'pending' and next_attempt_at <= $2
                        order by next_attempt_at, id limit $4 for update skip locked)
          returning id, subscription_id, url, event, body, idempotency_key, attempts`,
        [siteId, now, leaseUntil, limit],
      );
      return rows
        .map((r) => ({ id: Number(r.id), subscriptionId: Number(r.subscription_id), url: r.url, event: r.event, body: r.body, idempotencyKey: r.idempotency_key, attempts: r.attempts }))
        .sort((a, b) => a.id - b.id);
    },
    async recordAttempt(id, a, next) {
      await db.transaction(async (tx) => {
        await tx.query('insert into webhook_attempts (delivery_id, attempt, at, duration_ms, status_code, outcome, error) values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing', [
          id, a.attempt, a.at, Math.round(a.durationMs), a.statusCode, a.outcome, a.error,
        ]);
        // A delivery superseded while this attempt was in flight stays superseded.
        await tx.query(
          `update webhook_deliveries set attempts = $2, status = case when status = 'superseded' then status else $3 end,
             next_attempt_at = case when status = 'superseded' then null else $4::bigint end, last_error = $5, updated_at = $6 where id = $1`,
          [id, a.attempt, next.status, next.nextAttemptAt, next.lastError, a.at],
        );
      });
    },
    async nextDueAt() {
      const { rows } = await db.query<{ t: string | null }>(`select min(next_attempt_at) as t from webhook_deliveries where site_id = $1 and status = 'pending'`, [siteId]);
      return rows[0]?.t == null ? null : Number(rows[0].t);
    },
    async listForShop(shopId, limit) {
      const { rows } = await db.query<Row>(`${WITH_ATTEMPTS} where d.site_id = $1 and d.shop_id = $2 order by d.id desc limit $3`, [siteId, shopId, limit]);
      return rows.map(toDelivery);
    },
    async get({ id, shopId }) {
      const { rows } = await db.query<Row>(`${WITH_ATTEMPTS} where d.site_id = $1 and d.shop_id = $2 and d.id = $3`, [siteId, shopId, id]);
      return rows[0] ? toDelivery(rows[0]) : null;
    },
  };
}
