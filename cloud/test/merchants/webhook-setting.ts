import { parseCloudConfig } from '../../src/config.ts';
import type { WebhookOptions } from '../../src/forecasting.ts';

/**
 * The webhook part of the cloud's config as an operator would set it: tests that deliver to a
 * receiver on loopback allow it through ATRIUM_WEBHOOK_ALLOW_PRIVATE exactly like a deployment
 * allowing an internal range, and tests of refusals leave it unset.
 */
export function webhookSetting(allowPrivate?: string): WebhookOptions {
  const env = { ATRIUM_GATEWAY_SECRET: 'test-gateway-secret-0123456789abcdef', ...(allowPrivate === undefined ? {} : { ATRIUM_WEBHOOK_ALLOW_PRIVATE: allowPrivate }) };
  return { allowPrivate: parseCloudConfig(env).webhooks.allowPrivate };
}

/** Receivers in these tests listen on 127.0.0.1 only. */
export const LOOPBACK_RECEIVERS = '127.0.0.1';
