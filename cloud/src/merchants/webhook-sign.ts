import { createHmac } from 'node:crypto';

/**
 * How a webhook proves it comes from Atrium (docs/merchant-webhooks.md): HMAC-SHA256 with the
 * subscription's secret over `<timestamp>.<body>`, hex, as `X-Atrium-Signature: sha256=<hex>`.
 * The timestamp is signed too, so a captured request cannot be replayed later with a fresh one.
 */
export const WEBHOOK_HEADERS = {
  signature: 'x-atrium-signature',
  timestamp: 'x-atrium-timestamp',
  event: 'x-atrium-event',
  delivery: 'x-atrium-delivery',
  idempotencyKey: 'idempotency-key',
} as const;

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}
