import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import { randomUUID } from 'node:crypto';
import { WEBHOOK_TEST_EVENT, type AlertEventName, type DeliveryAttempt, type DeliveryEventName, type DeliveryLogEntry, type WebhookDelivery } from '@atrium/shared';

/**
 * Webhook deliveries (migration 4): the retry queue and the delivery log in one. A pending row
 * with `next_attempt_at` is work to do, so a restart loses nothing; every attempt is a row of
 * webhook_attempts, which is what merchants read back through the API.
 */
export interface DueDelivery {
  id: number;
  subscriptionId: number;
  merchantId: string;
  url: string;
  event: DeliveryEventName;
  body: string;
  idempotencyKey: string;
  attempts: number;
}

export interface WebhookStore {
  /**
   * Pending deliveries due at `now`, each leased until `leaseUntil` so a crash mid-send retries
   * it later. Taken round-robin across merchants (every merchant's oldest, then every merchant's
   * second oldest…), and with `fair` at most `perMerchant` minus what a merchant already has in
   * flight: one merchant's backlog cannot fill the batch ahead of another's alert.
   */
  claimDue(now: number, leaseUntil: number, limit: number, fair?: { perMerchant: number; inFlight: ReadonlyMap<string, number> }): Promise<DueDelivery[]>;
  recordAttempt(id: number, attempt: DeliveryAttempt, next: { status: WebhookDelivery['status']; nextAttemptAt: number | null; lastError: string | null }): Promise<void>;
  /** When the earliest pending delivery is due (null: nothing pending). */
  nextDueAt(): Promise<number | null>;
  listForShop(shopId: string, limit: number): Promise<DeliveryLogEntry[]>;
  get(p: { id: number; shopId: string }): Promise<DeliveryLogEntry | null>;
  /**
   * Queues a signed test delivery to a subscription's webhook (no alert behind it), sent and
   * retried by the dispatcher like any alert. An earlier test of that subscription still waiting
   * is superseded; beyond the merchant's quota it is logged as failed, as alerts are.
   */
  queueTest(t: { subscriptionId: number; merchantId: string; shopId: string; url: string; body: string; now: number; maxPending?: number }): Promise<DeliveryLogEntry>;
}

export const idempotencyKeyOf = (alertId: number, version: number): string => `atrium-alert-${alertId}-v${version}`;

/**
 * How many deliveries one merchant may have waiting. Far above what peak alerts produce (a few
 * per shop and day); it bounds what a merchant with many subscriptions to dead receivers can
 * pile into the shared queue.
 */
export const DEFAULT_MAX_PENDING_PER_MERCHANT = 200;

/**
 * Queues one alert version for a webhook inside the caller's transaction; older versions still
 * pending are superseded (no stale news). Beyond the merchant's quota of waiting deliveries it is
 * logged as failed, not queued, so the merchant sees why it never came.
 */
export async function enqueueDelivery(
  tx: SqlTx,
  d: { siteId: string; alertId: number; version: number; subscriptionId: number; merchantId: string; shopId: string; url: string; event: AlertEventName; body: string; now: number; maxPending?: number },
): Promise<void> {
  await tx.query(
    `update webhook_deliveries set status = 'superseded', next_attempt_at = null, updated_at = $3 where site_id = $1 and alert_id = $2 and status = 'pending'`,
    [d.siteId, d.alertId, d.now],
  );
  const max = d.maxPending ?? DEFAULT_MAX_PENDING_PER_MERCHANT;
  const { rows } = await tx.query<{ n: string | number }>(`select count(*) as n from webhook_deliveries where site_id = $1 and merchant_id = $2 and status = 'pending'`, [d.siteId, d.merchantId]);
  const over = Number(rows[0]?.n ?? 0) >= max;
  await tx.query(
    `insert into webhook_deliveries (site_id, alert_id, alert_version, subscription_id, merchant_id, shop_id, url, event, body, idempotency_key, status, attempts, next_attempt_at, last_error, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $14)`,
    [
      d.siteId, d.alertId, d.version, d.subscriptionId, d.merchantId, d.shopId, d.url, d.event, d.body, idempotencyKeyOf(d.alertId, d.version),
      over ? 'failed' : 'pending', over ? null : d.now, over ? quotaRefusal(max) : null, d.now,
    ],
  );
}

export const quotaRefusal = (max: number): string => `not sent: ${max} deliveries for this merchant are already waiting (quota)`;

interface Row {
  id: string | number;
  alert_id: string | number;
  alert_version: number;
  subscription_id: string | number;
  shop_id: string;
  url: string;
  event: DeliveryEventName;
  idempotency_key: string;
  status: WebhookDelivery['status'];
  next_attempt_at: string | number | null;
  last_error: string | null;
  created_at: string | number;
  updated_at: string | number;
  attempts_log: { attempt: number; at: number; duration_ms: number; status_code: number | null; outcome: DeliveryAttempt['outcome']; error: string | null }[] | null;
}

const toDelivery = (r: Row): DeliveryLogEntry => ({
  id: Number(r.id),
  // a test has no alert (its row holds 0, the columns being required)
  alertId: r.event === WEBHOOK_TEST_EVENT ? null : Number(r.alert_id),
  alertVersion: r.event === WEBHOOK_TEST_EVENT ? null : r.alert_version,
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
  const get = async ({ id, shopId }: { id: number; shopId: string }) => {
    const { rows } = await db.query<Row>(`${WITH_ATTEMPTS} where d.site_id = $1 and d.shop_id = $2 and d.id = $3`, [siteId, shopId, id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  };
  return {
    async claimDue(now, leaseUntil, limit, fair) {
      // One statement ranks, locks what it picks and leases it, so two dispatchers on one PostgreSQL
      // never send the same row twice (a row leased meanwhile fails the re-checked due condition).
      // Ranking within each merchant and taking rank by rank is the round-robin.
      const inFlight = JSON.stringify(Object.fromEntries(fair?.inFlight ?? []));
      const { rows } = await db.query<{ id: string; subscription_id: string; merchant_id: string; url: string; event: DeliveryEventName; body: string; idempotency_key: string; attempts: number }>(
        `with ranked as (
           select id, next_attempt_at, row_number() over (partition by merchant_id order by next_attempt_at, id) as rank,
                  coalesce(($5::jsonb ->> merchant_id)::int, 0) as busy
             from webhook_deliveries where site_id = $1 and status = 'pending' and next_attempt_at <= $2
         ), picked as (
           select d.id from webhook_deliveries d join ranked r on r.id = d.id
            where r.rank + r.busy <= $6 and d.status = 'pending' and d.next_attempt_at <= $2
            order by r.rank, r.next_attempt_at, r.id limit $4
            for update of d skip locked
         )
         update webhook_deliveries d set next_attempt_at = $3 from picked
          where d.id = picked.id and d.status = 'pending' and d.next_attempt_at <= $2
         returning d.id, d.subscription_id, d.merchant_id, d.url, d.event, d.body, d.idempotency_key, d.attempts`,
        [siteId, now, leaseUntil, limit, inFlight, fair?.perMerchant ?? limit],
      );
      return rows
        .map((r) => ({ id: Number(r.id), subscriptionId: Number(r.subscription_id), merchantId: r.merchant_id, url: r.url, event: r.event, body: r.body, idempotencyKey: r.idempotency_key, attempts: r.attempts }))
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
    get,
    async queueTest(t) {
      const max = t.maxPending ?? DEFAULT_MAX_PENDING_PER_MERCHANT;
      const id = await db.transaction(async (tx) => {
        await tx.query(
          `update webhook_deliveries set status = 'superseded', next_attempt_at = null, updated_at = $3 where site_id = $1 and subscription_id = $2 and event = $4 and status = 'pending'`,
          [siteId, t.subscriptionId, t.now, WEBHOOK_TEST_EVENT],
        );
        const { rows: waiting } = await tx.query<{ n: string | number }>(`select count(*) as n from webhook_deliveries where site_id = $1 and merchant_id = $2 and status = 'pending'`, [siteId, t.merchantId]);
        const over = Number(waiting[0]?.n ?? 0) >= max;
        const { rows } = await tx.query<{ id: string | number }>(
          `insert into webhook_deliveries (site_id, alert_id, alert_version, subscription_id, merchant_id, shop_id, url, event, body, idempotency_key, status, attempts, next_attempt_at, last_error, created_at, updated_at)
           values ($1, 0, 0, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $12) returning id`,
          [siteId, t.subscriptionId, t.merchantId, t.shopId, t.url, WEBHOOK_TEST_EVENT, t.body, `atrium-test-${randomUUID()}`, over ? 'failed' : 'pending', over ? null : t.now, over ? quotaRefusal(max) : null, t.now],
        );
        return Number(rows[0]!.id);
      });
      return (await get({ id, shopId: t.shopId }))!;
    },
  };
}
