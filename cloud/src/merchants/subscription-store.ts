import type { SqlClient } from '../db/sql-client.ts';
import { Errors } from '../errors.ts';
import type { QuietHours, Subscription, SubscriptionInput, Threshold } from '@atrium/shared';
import { createAddressPolicy, webhookUrlRefusal, type AddressPolicy } from './webhook-address.ts';

/** Merchant alert subscriptions (migration 4). The webhook secret is write-only: stored, used to sign, never returned. */
export interface SubscriptionStore {
  create(p: { shopId: string; merchantId: string; input: SubscriptionInput; now: number }): Promise<Subscription>;
  /** Replaces the settings; a webhook without `secret` keeps the current secret. Null when no such subscription on that shop. */
  update(p: { id: number; shopId: string; input: SubscriptionInput; now: number }): Promise<Subscription | null>;
  remove(p: { id: number; shopId: string }): Promise<boolean>;
  get(p: { id: number; shopId: string }): Promise<Subscription | null>;
  listForShop(shopId: string): Promise<Subscription[]>;
  listEnabled(): Promise<Subscription[]>;
  /** The signing secret, for the webhook dispatcher only. */
  secretOf(id: number): Promise<string | null>;
}

interface Data {
  threshold: Threshold;
  leadTimesH: number[];
  quietHours: QuietHours | null;
  webhookUrl: string | null;
  enabled: boolean;
}

interface Row {
  id: string | number;
  merchant_id: string;
  shop_id: string;
  data: Data;
  webhook_secret: string | null;
  created_at: string | number;
  updated_at: string | number;
}

const toSubscription = (r: Row): Subscription => ({
  id: Number(r.id),
  shopId: r.shop_id,
  merchantId: r.merchant_id,
  threshold: r.data.threshold,
  leadTimesH: r.data.leadTimesH,
  quietHours: r.data.quietHours,
  webhook: r.data.webhookUrl ? { url: r.data.webhookUrl, hasSecret: r.webhook_secret !== null } : null,
  enabled: r.data.enabled,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const dataOf = (i: SubscriptionInput): Data => ({ threshold: i.threshold, leadTimesH: i.leadTimesH, quietHours: i.quietHours, webhookUrl: i.webhook?.url ?? null, enabled: i.enabled });

/**
 * `addresses` decides which webhook URLs may be saved (default: public addresses only); a URL
 * it refuses is an InvalidRequest naming webhook.url and the reason. Names are checked again,
 * resolved, at every delivery (webhook-http.ts).
 */
export function createSubscriptionStore(db: SqlClient, siteId: string, opts: { addresses?: AddressPolicy } = {}): SubscriptionStore {
  const addresses = opts.addresses ?? createAddressPolicy();
  const checkUrl = (input: SubscriptionInput) => {
    if (!input.webhook) return;
    const reason = webhookUrlRefusal(input.webhook.url, addresses);
    if (reason !== null) throw new Errors.InvalidRequest(`webhook.url: ${reason}`);
  };
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<Row>(sql, params);
    return rows[0] ? toSubscription(rows[0]) : null;
  };
  return {
    async create({ shopId, merchantId, input, now }) {
      checkUrl(input);
      if (input.webhook && !input.webhook.secret) throw new Errors.InvalidRequest('webhook.secret: required with a webhook url (at least 16 characters; it signs every delivery)');
      const { rows } = await db.query<Row>(
        `insert into merchant_subscriptions (site_id, merchant_id, shop_id, data, webhook_secret, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning *`,
        [siteId, merchantId, shopId, JSON.stringify(dataOf(input)), input.webhook?.secret ?? null, now],
      );
      return toSubscription(rows[0]!);
    },
    async update({ id, shopId, input, now }) {
      checkUrl(input);
      const { rows: found } = await db.query<{ webhook_secret: string | null }>('select webhook_secret from merchant_subscriptions where site_id = $1 and id = $2 and shop_id = $3', [siteId, id, shopId]);
      if (found.length === 0) return null;
      const secret = input.webhook ? (input.webhook.secret ?? found[0]!.webhook_secret) : null;
      if (input.webhook && !secret) throw new Errors.InvalidRequest('webhook.secret: required with a webhook url (at least 16 characters; it signs every delivery)');
      return one('update merchant_subscriptions set data = $4, webhook_secret = $5, updated_at = $6 where site_id = $1 and id = $2 and shop_id = $3 returning *', [
        siteId, id, shopId, JSON.stringify(dataOf(input)), secret, now,
      ]);
    },
    async remove({ id, shopId }) {
      const { rows } = await db.query('delete from merchant_subscriptions where site_id = $1 and id = $2 and shop_id = $3 returning id', [siteId, id, shopId]);
      return rows.length > 0;
    },
    get: ({ id, shopId }) => one('select * from merchant_subscriptions where site_id = $1 and id = $2 and shop_id = $3', [siteId, id, shopId]),
    async listForShop(shopId) {
      const { rows } = await db.query<Row>('select * from merchant_subscriptions where site_id = $1 and shop_id = $2 order by id', [siteId, shopId]);
      return rows.map(toSubscription);
    },
    async listEnabled() {
      const { rows } = await db.query<Row>(`select * from merchant_subscriptions where site_id = $1 and (data->>'enabled')::boolean order by id`, [siteId]);
      return rows.map(toSubscription);
    },
    async secretOf(id) {
      const { rows } = await db.query<{ webhook_secret: string | null }>('select webhook_secret from merchant_subscriptions where site_id = $1 and id = $2', [siteId, id]);
      return rows[0]?.webhook_secret ?? null;
    },
  };
}
