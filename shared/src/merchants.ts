import { z } from 'zod';
import { EpochMs, MerchantId, ShopId } from './ids.ts';

/**
 * Merchant peak alerts: what a merchant subscribes to, and what they are told. Everything
 * crossing the API or a webhook is defined here once; types are inferred from it.
 */
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM between 00:00 and 23:59');

export const Threshold = z.discriminatedUnion('kind', [
  /** a peak is an hour forecast at or above this many visitors */
  z.strictObject({ kind: z.literal('visitors'), perHour: z.number().positive().max(1_000_000) }),
  /** a peak is an hour forecast this many percent above the usual for that hour of the week */
  z.strictObject({ kind: z.literal('aboveUsual'), percent: z.number().positive().max(10_000) }),
]);

export const QuietHours = z
  .strictObject({ from: HHMM, to: HHMM })
  .refine((q) => q.from !== q.to, { path: ['to'], message: 'must differ from "from" (quiet all day would mean never alert)' });

/**
 * The URL's form only. Which addresses it may reach is the cloud's decision (an operator setting
 * can allow private ranges), checked when it is saved and again at every delivery attempt.
 */
const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2000)
  .refine((u) => URL.canParse(u) && new URL(u).username === '' && new URL(u).password === '', 'must not carry credentials (user:password@); the signature authenticates each delivery');

export const SubscriptionInput = z.strictObject({
  threshold: Threshold,
  /** hours before the peak to alert, e.g. [72, 24, 2]: one alert per peak and lead time */
  leadTimesH: z
    .array(z.number().int().min(1).max(72))
    .min(1)
    .max(6)
    .refine((xs) => new Set(xs).size === xs.length, 'must not repeat a lead time')
    .transform((xs) => [...xs].sort((a, b) => b - a)),
  /** local time in the site's timezone; may wrap midnight (22:00 → 07:00) */
  quietHours: QuietHours.nullable().default(null),
  /** `secret` signs the body (HMAC-SHA256); write-only: never returned. On update it may be left out to keep the current one. */
  webhook: z.strictObject({ url: WebhookUrl, secret: z.string().min(16, 'must be at least 16 characters').max(256).optional() }).nullable().default(null),
  enabled: z.boolean().default(true),
});

export const Subscription = z.object({
  id: z.number().int(),
  shopId: ShopId,
  merchantId: MerchantId,
  threshold: Threshold,
  leadTimesH: z.array(z.number().int()),
  quietHours: z.object({ from: z.string(), to: z.string() }).nullable(),
  webhook: z.object({ url: z.string(), hasSecret: z.boolean() }).nullable(),
  enabled: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});

export const ALERT_EVENTS = ['alert.created', 'alert.updated', 'alert.cancelled'] as const;
export const AlertEventName = z.enum(ALERT_EVENTS);

/** The peak as forecast when the merchant was last told: the anchor "materially" is measured from. */
export const PeakSnapshot = z.object({
  /** first and after-last hour above the threshold (epoch ms, half-open) */
  from: z.number(),
  to: z.number(),
  /** the busiest hour's start */
  at: z.number(),
  expected: z.number(),
  lo80: z.number(),
  hi80: z.number(),
  lo95: z.number(),
  hi95: z.number(),
  /** the usual for the busiest hour's hour of the week; null when there is too little history */
  usual: z.number().nullable(),
  /** the threshold at the busiest hour in visitors/hour */
  threshold: z.number(),
});

export const MerchantAlert = z.object({
  id: z.number().int(),
  /** bumped on every material update; with `id` it makes the idempotency key */
  version: z.number().int(),
  status: z.enum(['active', 'cancelled']),
  subscriptionId: z.number().int(),
  merchantId: MerchantId,
  shopId: ShopId,
  shopName: z.string(),
  leadTimeH: z.number().int(),
  timezone: z.string(),
  /** when, in the site's local time */
  when: z.object({ from: z.string(), to: z.string(), busiest: z.string() }),
  /** how many (the forecast's median) and how sure */
  expected: z.object({
    visitorsPerHour: z.number(),
    range80: z.tuple([z.number(), z.number()]),
    /** rough chance the busiest hour reaches the threshold, from the forecast's intervals */
    chanceAboveThreshold: z.number(),
    wording: z.enum(['very likely', 'likely', 'more likely than not', 'possible']),
  }),
  /** compared with what; `percentAbove` is negative when the forecast is below the usual, null without a usual */
  usual: z.object({ visitorsPerHour: z.number().nullable(), percentAbove: z.number().nullable(), basis: z.string() }),
  /** the threshold that made this a peak: in visitors/hour at the busiest hour, and the merchant's percent for `aboveUsual` */
  threshold: z.object({ kind: z.enum(['visitors', 'aboveUsual']), visitorsPerHour: z.number(), percent: z.number().optional() }),
  peak: PeakSnapshot,
  message: z.string(),
  forecastMadeAt: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const AlertEvent = z.object({ event: AlertEventName, alert: MerchantAlert });

export const DeliveryAttempt = z.object({
  attempt: z.number().int(),
  at: z.number(),
  durationMs: z.number(),
  statusCode: z.number().int().nullable(),
  outcome: z.enum(['delivered', 'retry', 'rejected', 'gave_up']),
  /**
   * What happened, as an outcome ("answered 500", "timed out after 10 s", "could not connect",
   * "refused: the address is in a private range"); never the receiver's answer or a socket error's text.
   */
  error: z.string().nullable(),
});

export const WebhookDelivery = z.object({
  id: z.number().int(),
  alertId: z.number().int(),
  alertVersion: z.number().int(),
  subscriptionId: z.number().int(),
  shopId: ShopId,
  url: z.string(),
  event: AlertEventName,
  idempotencyKey: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'superseded']),
  attempts: z.array(DeliveryAttempt),
  nextAttemptAt: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export type Threshold = z.infer<typeof Threshold>;
export type QuietHours = z.infer<typeof QuietHours>;
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;
export type Subscription = z.infer<typeof Subscription>;
export type AlertEventName = z.infer<typeof AlertEventName>;
export type PeakSnapshot = z.infer<typeof PeakSnapshot>;
export type MerchantAlert = z.infer<typeof MerchantAlert>;
export type AlertEvent = z.infer<typeof AlertEvent>;
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
