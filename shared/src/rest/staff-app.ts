import { z } from 'zod';
import { Severity } from '../rules.ts';
import { At, RecordId } from '../ops/time.ts';

/**
 * What the staff phone app needs beyond the work orders themselves: a key that makes a queued
 * action safe to send again, and what raised a job, in words.
 */

/**
 * `Idempotency-Key` on a work-order action: the phone sends one per action it queued, so an
 * action sent again after a lost answer (or a reconnect) is applied once. Visible ASCII only,
 * bounded, so it is safe to store and to quote back in an error.
 */
export const IDEMPOTENCY_KEY_MAX = 128;
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(IDEMPOTENCY_KEY_MAX)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters (no spaces)');
export const OrderActionHeaders = z.object({ 'idempotency-key': IdempotencyKey.optional() });

/** One alarm behind a job, as a member of staff is told about it. */
export const OrderCauseAlarm = z.object({
  id: RecordId,
  /** the alarm type in words, e.g. "Air quality" */
  what: z.string(),
  severity: Severity,
  raisedAt: At,
  /** the reading that raised it in words ("CO₂ 1,480 ppm, above 1,200"); null when the rule has no number (a forced door) */
  reading: z.string().nullable(),
  /** the rule that raised it, in words ("Door forced open") */
  rule: z.string(),
});
export type OrderCauseAlarm = z.infer<typeof OrderCauseAlarm>;
/** GET /api/v1/work-orders/:orderId/cause */
export const OrderCause = z.object({ orderId: RecordId, alarms: z.array(OrderCauseAlarm) });
export type OrderCause = z.infer<typeof OrderCause>;
