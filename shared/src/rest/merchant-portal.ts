import { z } from 'zod';
import { LocalDate } from '../calendar.ts';
import { EpochMs, MerchantId, ShopId, SiteId } from '../ids.ts';
import { ALERT_EVENTS, WebhookDelivery } from '../merchants.ts';
import { Shop } from '../site.ts';

/**
 * What the merchant portal (dashboards/public/merchant.html) reads beyond the merchant API's
 * records: who and where it is, a shop's hours with their forecast (JSON and CSV), and the
 * webhook test a merchant sends before trusting a receiver with real alerts.
 */

/** GET /api/v1/merchant/portal: the site's clock and the caller's shops (a merchant: their own). */
export const PortalInfo = z.object({
  site: z.object({ id: SiteId, name: z.string(), timezone: z.string() }),
  /** null for a control-room caller, who sees every shop */
  merchant: z.object({ id: MerchantId, name: z.string() }).nullable(),
  shops: Shop.array(),
});
export type PortalInfo = z.infer<typeof PortalInfo>;

/** Longest span one hourly request (or CSV download) may cover, in local days. */
export const MAX_SHOP_HOURS_DAYS = 92;
const DAY_MS = 86_400_000;

/** `from`/`to` are the site's local calendar days, both included. */
export const ShopHoursQuery = z
  .strictObject({ from: LocalDate, to: LocalDate })
  .refine((q) => q.to >= q.from, { path: ['to'], message: 'must be on or after "from"' })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS + 1 <= MAX_SHOP_HOURS_DAYS, {
    path: ['to'],
    message: `the range may span at most ${MAX_SHOP_HOURS_DAYS} days; download longer periods in parts`,
  });
export type ShopHoursQuery = z.infer<typeof ShopHoursQuery>;

/**
 * Which forecast an hour shows: for hours from the newest run on, that run ("newest"); for
 * earlier hours, the one made 24 hours ahead, else 72 hours ahead (the leads kept after a day,
 * the ones live accuracy scores), so a past hour is compared with what was expected beforehand.
 */
export const FORECAST_BASES = ['newest', 'made24h', 'made72h'] as const;

export const HourForecast = z.object({
  mean: z.number(),
  lo80: z.number(),
  hi80: z.number(),
  lo95: z.number(),
  hi95: z.number(),
  madeAt: z.number(),
  basis: z.enum(FORECAST_BASES),
});

export const ShopHour = z.object({
  /** start of the hour (epoch ms) */
  t: z.number(),
  /** "Mon 2025-03-17 13:00", the site's local time */
  local: z.string(),
  /** visitors counted in (line crossings inwards); null when nothing was counted (or it has not happened yet) */
  visitors: z.number().nullable(),
  forecast: HourForecast.nullable(),
});

export const ShopHours = z.object({
  shopId: ShopId,
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  /** when the newest forecast of this shop was made; null: no forecast yet */
  newestForecastAt: z.number().nullable(),
  hours: ShopHour.array(),
});
export type HourForecast = z.infer<typeof HourForecast>;
export type ShopHour = z.infer<typeof ShopHour>;
export type ShopHours = z.infer<typeof ShopHours>;

/** The CSV download's columns, in order (one row per hour). */
export const SHOP_HOURS_CSV_COLUMNS = ['hour_start_local', 'hour_start_utc', 'visitors_in', 'forecast', 'forecast_lo80', 'forecast_hi80', 'forecast_lo95', 'forecast_hi95', 'forecast_basis', 'forecast_made_at_utc'] as const;

/** A test delivery's event: not an alert, so receivers can tell it apart and ignore it. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
export const DeliveryEventName = z.enum([...ALERT_EVENTS, WEBHOOK_TEST_EVENT]);
export type DeliveryEventName = z.infer<typeof DeliveryEventName>;

/** The body of a test delivery, signed like every alert. */
export const WebhookTestEvent = z.object({
  event: z.literal(WEBHOOK_TEST_EVENT),
  test: z.object({ subscriptionId: z.number().int(), shopId: ShopId, shopName: z.string(), sentAt: EpochMs, message: z.string() }),
});
export type WebhookTestEvent = z.infer<typeof WebhookTestEvent>;

/** A row of the delivery log: an alert's delivery, or a test (no alert: `alertId` and `alertVersion` null). */
export const DeliveryLogEntry = WebhookDelivery.extend({
  alertId: z.number().int().nullable(),
  alertVersion: z.number().int().nullable(),
  event: DeliveryEventName,
});
export type DeliveryLogEntry = z.infer<typeof DeliveryLogEntry>;
