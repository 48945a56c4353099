import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  apiErrors,
  DeliveriesQuery,
  DeliveryParams,
  FootfallPoint,
  MerchantAlert,
  MerchantAlertsQuery,
  NoContent,
  Shop,
  ShopAlertsQuery,
  ShopParams,
  ShopTrafficQuery,
  Subscription,
  SubscriptionInput,
  SubscriptionParams,
  WebhookDelivery,
  type SiteModel,
} from '@atrium/shared';
import { Errors } from '../../errors.ts';
import type { Forecasting } from '../../forecasting.ts';
import { merchantView } from '../../merchants/delivery-outcome.ts';
import type { SeriesQueries } from '../../series/queries.ts';
import { requireRole, requireShopAccess, SITE_WIDE } from '../auth.ts';

export interface MerchantRouteDeps {
  site: SiteModel;
  queries: Pick<SeriesQueries, 'footfall'>;
  forecasting: Pick<Forecasting, 'subscriptions' | 'alertStore' | 'webhooks' | 'now'>;
}

/**
 * The merchant portal's API. Every route under /shops/:shopId starts with requireShopAccess: a
 * merchant's key reaches only shops of that merchant (403 for another's shop, 404 for none);
 * control-room roles reach every shop. Rows are then looked up by shop as well as by id, so an
 * id from another shop is simply not found.
 */
export const merchantRoutes: FastifyPluginAsyncZod<MerchantRouteDeps> = async (app, deps) => {
  const { site } = deps;
  const { subscriptions, alertStore: alerts, webhooks, now } = deps.forecasting;
  const shopOf = (id: string) => site.shops.find((s) => s.id === id)!;

  app.get('/api/v1/merchant/shops', { schema: { summary: 'The shops the caller may see (a merchant: their own)', response: { 200: Shop.array(), ...apiErrors(401, 403, 500) } } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'merchant']);
    return p.role === 'merchant' ? site.shops.filter((s) => s.merchantId === p.merchantId) : site.shops;
  });

  app.get(
    '/api/v1/merchant/alerts',
    { schema: { summary: "Peak alerts across a merchant's shops, newest first", querystring: MerchantAlertsQuery, response: { 200: MerchantAlert.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'merchant']);
      const merchantId = p.role === 'merchant' ? p.merchantId! : req.query.merchantId;
      if (!merchantId) throw new Errors.InvalidRequest('merchantId: required for control-room callers');
      if (p.role === 'merchant' && req.query.merchantId && req.query.merchantId !== p.merchantId) throw new Errors.Forbidden('a merchant sees their own alerts only');
      return alerts.listForMerchant(merchantId, req.query);
    },
  );

  app.get(
    '/api/v1/shops/:shopId/traffic',
    { schema: { summary: "A shop's footfall per time bucket", params: ShopParams, querystring: ShopTrafficQuery, response: { 200: FootfallPoint.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      return deps.queries.footfall({ ...req.query, subjectKind: 'shop', subjectId: req.params.shopId });
    },
  );

  app.get('/api/v1/shops/:shopId/subscriptions', { schema: { summary: "A shop's peak-alert subscriptions", params: ShopParams, response: { 200: Subscription.array(), ...apiErrors(400, 401, 403, 404, 500) } } }, async (req) => {
    requireShopAccess(req, site, req.params.shopId);
    return subscriptions.listForShop(req.params.shopId);
  });

  app.post(
    '/api/v1/shops/:shopId/subscriptions',
    { schema: { summary: 'Subscribe to peak alerts for a shop', params: ShopParams, body: SubscriptionInput, response: { 201: Subscription, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req, reply) => {
      requireShopAccess(req, site, req.params.shopId);
      const shop = shopOf(req.params.shopId);
      return reply.code(201).send(await subscriptions.create({ shopId: shop.id, merchantId: shop.merchantId, input: req.body, now: now() }));
    },
  );

  app.get('/api/v1/shops/:shopId/subscriptions/:subscriptionId', { schema: { summary: 'One subscription', params: SubscriptionParams, response: { 200: Subscription, ...apiErrors(400, 401, 403, 404, 500) } } }, async (req) => {
    requireShopAccess(req, site, req.params.shopId);
    const s = await subscriptions.get({ id: req.params.subscriptionId, shopId: req.params.shopId });
    if (!s) throw new Errors.SubscriptionNotFound(req.params.subscriptionId);
    return s;
  });

  app.put(
    '/api/v1/shops/:shopId/subscriptions/:subscriptionId',
    { schema: { summary: 'Replace a subscription (a webhook without secret keeps the current secret)', params: SubscriptionParams, body: SubscriptionInput, response: { 200: Subscription, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      const s = await subscriptions.update({ id: req.params.subscriptionId, shopId: req.params.shopId, input: req.body, now: now() });
      if (!s) throw new Errors.SubscriptionNotFound(req.params.subscriptionId);
      return s;
    },
  );

  app.delete('/api/v1/shops/:shopId/subscriptions/:subscriptionId', { schema: { summary: 'Unsubscribe (its alerts go with it)', params: SubscriptionParams, response: { 204: NoContent, ...apiErrors(400, 401, 403, 404, 500) } } }, async (req, reply) => {
    requireShopAccess(req, site, req.params.shopId);
    if (!(await subscriptions.remove({ id: req.params.subscriptionId, shopId: req.params.shopId }))) throw new Errors.SubscriptionNotFound(req.params.subscriptionId);
    return reply.code(204).send();
  });

  app.get(
    '/api/v1/shops/:shopId/alerts',
    { schema: { summary: "A shop's peak alerts, newest first", params: ShopParams, querystring: ShopAlertsQuery, response: { 200: MerchantAlert.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      return alerts.listForShop(req.params.shopId, req.query);
    },
  );

  app.get(
    '/api/v1/shops/:shopId/webhook-deliveries',
    { schema: { summary: "Webhook delivery log of a shop's alerts: every attempt with status, duration and its outcome (never the receiver's answer)", params: ShopParams, querystring: DeliveriesQuery, response: { 200: WebhookDelivery.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      return (await webhooks.listForShop(req.params.shopId, req.query.limit)).map(merchantView);
    },
  );

  app.get(
    '/api/v1/shops/:shopId/webhook-deliveries/:deliveryId',
    { schema: { summary: 'One webhook delivery with its attempts', params: DeliveryParams, response: { 200: WebhookDelivery, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      const d = await webhooks.get({ id: req.params.deliveryId, shopId: req.params.shopId });
      if (!d) throw new Errors.DeliveryNotFound(req.params.deliveryId);
      return merchantView(d);
    },
  );
};
