import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  apiErrors,
  DeliveriesQuery,
  DeliveryLogEntry,
  DeliveryParams,
  EmptyBody,
  FootfallPoint,
  MerchantAlert,
  MerchantAlertsQuery,
  NoContent,
  PortalInfo,
  Shop,
  ShopAlertsQuery,
  ShopHours,
  ShopHoursQuery,
  ShopParams,
  ShopTrafficQuery,
  Subscription,
  SubscriptionInput,
  SubscriptionParams,
  TextBody,
  type SiteModel,
} from '@atrium/shared';
import { Errors } from '../../errors.ts';
import type { Forecasting } from '../../forecasting.ts';
import { assembleShopHours, localDaysRange, shopHoursCsv } from '../../forecast/shop-hours.ts';
import { merchantView } from '../../merchants/delivery-outcome.ts';
import { testEventBody } from '../../merchants/webhook-test.ts';
import type { SeriesQueries } from '../../series/queries.ts';
import { requireRole, requireShopAccess, SITE_WIDE } from '../auth.ts';

export interface MerchantRouteDeps {
  site: SiteModel;
  queries: Pick<SeriesQueries, 'footfall'>;
  forecasting: Pick<Forecasting, 'subscriptions' | 'alertStore' | 'webhooks' | 'now' | 'forecasts' | 'dispatcher'>;
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

  /** Counted and forecast hours of local days `from`..`to` (ShopHoursQuery bounds the span). */
  const hoursOf = async (shopId: string, q: ShopHoursQuery) => {
    const { start, end } = localDaysRange(site.timezone, q.from, q.to);
    const [counted, [newest], lead24, lead72] = await Promise.all([
      deps.queries.footfall({ subjectKind: 'shop', subjectId: shopId, from: start, to: end, every: '1h' }),
      deps.forecasting.forecasts.latest({ subjectKind: 'shop', subjectId: shopId }),
      deps.forecasting.forecasts.atLead({ subjectKind: 'shop', subjectId: shopId, leadH: 24, from: start, to: end }),
      deps.forecasting.forecasts.atLead({ subjectKind: 'shop', subjectId: shopId, leadH: 72, from: start, to: end }),
    ]);
    const hours = assembleShopHours({ timeZone: site.timezone, start, end, counted, newest: newest ?? null, lead24, lead72 });
    return { shopId, timezone: site.timezone, from: q.from, to: q.to, newestForecastAt: newest?.madeAt ?? null, hours };
  };

  app.get('/api/v1/merchant/portal', { schema: { summary: "The merchant portal's start: the site's name and clock, the caller and their shops", response: { 200: PortalInfo, ...apiErrors(401, 403, 500) } } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'merchant']);
    const merchant = p.role === 'merchant' ? (site.merchants.find((m) => m.id === p.merchantId) ?? null) : null;
    if (p.role === 'merchant' && !merchant) throw new Errors.Forbidden(`merchant "${p.merchantId ?? ''}" is not on this site`);
    return {
      site: { id: site.id, name: site.name, timezone: site.timezone },
      merchant: merchant && { id: merchant.id, name: merchant.name },
      shops: merchant ? site.shops.filter((s) => s.merchantId === merchant.id) : site.shops,
    };
  });

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

  app.get(
    '/api/v1/shops/:shopId/hourly',
    {
      schema: {
        summary: "A shop's hours over local days (both included): visitors counted and the forecast (newest for hours to come, made 24 h or 72 h ahead for hours past)",
        params: ShopParams,
        querystring: ShopHoursQuery,
        response: { 200: ShopHours, ...apiErrors(400, 401, 403, 404, 500) },
      },
    },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      return hoursOf(req.params.shopId, req.query);
    },
  );

  app.get(
    '/api/v1/shops/:shopId/hourly.csv',
    {
      schema: {
        summary: 'The same hours as CSV, one row per hour (a download)',
        params: ShopParams,
        querystring: ShopHoursQuery,
        response: { 200: { content: { 'text/csv': { schema: TextBody } } }, ...apiErrors(400, 401, 403, 404, 500) },
      },
    },
    async (req, reply) => {
      requireShopAccess(req, site, req.params.shopId);
      const { hours } = await hoursOf(req.params.shopId, req.query);
      const name = `${req.params.shopId}-hourly-${req.query.from}-to-${req.query.to}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(shopHoursCsv(hours));
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

  app.post(
    '/api/v1/shops/:shopId/subscriptions/:subscriptionId/test',
    {
      schema: {
        summary: "Send a signed test request (event webhook.test, no alert) to a subscription's webhook, through the delivery queue; the answer is its row in the delivery log",
        params: SubscriptionParams,
        body: EmptyBody,
        response: { 202: DeliveryLogEntry, ...apiErrors(400, 401, 403, 404, 500) },
      },
    },
    async (req, reply) => {
      requireShopAccess(req, site, req.params.shopId);
      const s = await subscriptions.get({ id: req.params.subscriptionId, shopId: req.params.shopId });
      if (!s) throw new Errors.SubscriptionNotFound(req.params.subscriptionId);
      if (!s.webhook) throw new Errors.InvalidRequest('webhook: this subscription has no webhook URL to test; add one first');
      const shop = shopOf(s.shopId);
      const at = now();
      const queued = await webhooks.queueTest({
        subscriptionId: s.id,
        merchantId: s.merchantId,
        shopId: s.shopId,
        url: s.webhook.url,
        body: testEventBody({ subscriptionId: s.id, shopId: shop.id, shopName: shop.name, now: at }),
        now: at,
      });
      deps.forecasting.dispatcher.kick();
      return reply.code(202).send(merchantView(queued));
    },
  );

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
    { schema: { summary: "Webhook delivery log of a shop's alerts: every attempt with status, duration and its outcome (never the receiver's answer)", params: ShopParams, querystring: DeliveriesQuery, response: { 200: DeliveryLogEntry.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      return (await webhooks.listForShop(req.params.shopId, req.query.limit)).map(merchantView);
    },
  );

  app.get(
    '/api/v1/shops/:shopId/webhook-deliveries/:deliveryId',
    { schema: { summary: 'One webhook delivery with its attempts', params: DeliveryParams, response: { 200: DeliveryLogEntry, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireShopAccess(req, site, req.params.shopId);
      const d = await webhooks.get({ id: req.params.deliveryId, shopId: req.params.shopId });
      if (!d) throw new Errors.DeliveryNotFound(req.params.deliveryId);
      return merchantView(d);
    },
  );
};
