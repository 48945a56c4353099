import { z } from 'zod';
import { FootfallQuery } from '../api.ts';
import { MerchantId, ShopId, Slug } from '../ids.ts';
import { SubjectKind } from '../uplink.ts';
import { Accuracy, VsActualHour } from '../forecast.ts';
import { Limit, QueryEpochMs } from './query.ts';

/** Requests of the forecast, calendar and merchant APIs; the answers are in forecast.ts, calendar.ts and merchants.ts. */

export const SeriesParams = z.object({ subjectKind: SubjectKind, subjectId: Slug });
export const AccuracyQuery = z.strictObject({ subjectKind: SubjectKind.default('zone') });
/** default: the last 7 days */
export const VsActualQuery = z.strictObject({ from: QueryEpochMs.optional(), to: QueryEpochMs.optional() });
export const VsActual = z.object({ hours: z.array(VsActualHour), accuracy: Accuracy });
export type VsActual = z.infer<typeof VsActual>;

export const CalendarEntryParams = z.object({ id: z.coerce.number().int().positive() });

export const ShopParams = z.object({ shopId: ShopId });
export const SubscriptionParams = ShopParams.extend({ subscriptionId: z.coerce.number().int().positive() });
export const DeliveryParams = ShopParams.extend({ deliveryId: z.coerce.number().int().positive() });
export const ShopTrafficQuery = FootfallQuery.pick({ from: true, to: true, every: true });
/** control-room callers name the merchant; a merchant's key is their own */
export const MerchantAlertsQuery = z.strictObject({ merchantId: MerchantId.optional(), since: QueryEpochMs.optional(), limit: Limit });
export const ShopAlertsQuery = z.strictObject({ since: QueryEpochMs.optional(), limit: Limit });
export const DeliveriesQuery = z.strictObject({ limit: Limit });
