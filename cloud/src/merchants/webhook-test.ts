import { WEBHOOK_TEST_EVENT, type WebhookTestEvent } from '@atrium/shared';

/**
 * What a "send test" delivers: a signed request with event `webhook.test` and no alert, so a
 * merchant can check their receiver (reachable, verifies the signature, answers 2xx) before a
 * real peak depends on it. Receivers that act on alerts only ignore it by its event.
 */
export function testEventBody(p: { subscriptionId: number; shopId: string; shopName: string; now: number }): string {
  const event: WebhookTestEvent = {
    event: WEBHOOK_TEST_EVENT,
    test: {
      subscriptionId: p.subscriptionId,
      shopId: p.shopId,
      shopName: p.shopName,
      sentAt: p.now,
      message: `A test from Atrium for ${p.shopName}: if this request's signature checks out with your secret, peak alerts for this shop will reach you here. It is not an alert.`,
    },
  };
  return JSON.stringify(event);
}
