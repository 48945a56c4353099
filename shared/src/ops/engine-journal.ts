import { z } from 'zod';
import { SiteId, Slug } from '../ids.ts';
import { EnvMetric } from '../payloads.ts';
import { SubjectRef } from './alarm.ts';
import { HandRaisedOrder } from './work-order.ts';
import { At, RecordId } from './time.ts';

/**
 * What goes into the engine, and the journal of it. The engine is a pure function of its
 * state, its inputs and `now`, so the stored state is the last snapshot plus the journal of
 * the steps taken since: replaying them gives the very same state, rule clocks and counters
 * included. A step then costs what it changes (its input and its effects), not the size of
 * everything open.
 */

/** One thing the cloud learnt. Times are data times (epoch ms); `minute` is a minute start. */
export const Observation = z.discriminatedUnion('kind', [
  /** a zone's minute mean of one metric (several sensors or a late record for the minute merge by `count`) */
  z.object({ kind: z.literal('env'), zoneId: Slug, metric: EnvMetric, minute: At, mean: z.number(), count: z.number().optional() }),
  /** line crossings into a zone during a minute (additive: several radars or late records add) */
  z.object({ kind: z.literal('footfall'), zoneId: Slug, minute: At, in: z.number() }),
  /** live occupancy of a zone */
  z.object({ kind: z.literal('occupancy'), zoneId: Slug, occupancy: z.number(), at: At }),
  z.object({ kind: z.literal('event'), deviceId: Slug, type: z.string(), at: At }),
  /** the device was heard from (any uplink record or status), through this gateway */
  z.object({ kind: z.literal('seen'), deviceId: Slug, at: At, gatewayId: Slug.optional() }),
  /** an uplink from this edge gateway reached the cloud (at: the cloud's clock, not the gateway's) */
  z.object({ kind: z.literal('gateway_seen'), gatewayId: Slug, at: At }),
  /** counters of the zone with this cause in `resetOn` restart (a cleaning was completed) */
  z.object({ kind: z.literal('reset'), zoneId: Slug, cause: z.string(), at: At }),
  /** a person cleared the alarm: the rule forgets this subject and re-evaluates from scratch */
  z.object({ kind: z.literal('clear'), ruleId: Slug, subject: SubjectRef, at: At }),
  /** time passes */
  z.object({ kind: z.literal('tick') }),
]);
export type Observation = z.infer<typeof Observation>;

const by = z.string().min(1);
/** A lifecycle action on a work order, by a person or the engine. */
export const OrderAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('assign'), staffId: Slug, by, reason: z.string().optional() }),
  /** the system (accept timeout, staff unavailable) or a supervisor takes it back */
  z.object({ kind: z.literal('unassign'), by, reason: z.string() }),
  z.object({ kind: z.literal('accept'), by }),
  z.object({ kind: z.literal('decline'), by, reason: z.string() }),
  z.object({ kind: z.literal('arrive'), by }),
  z.object({ kind: z.literal('resolve'), by, note: z.string().optional() }),
  z.object({ kind: z.literal('verify'), by, method: z.enum(['sensors', 'supervisor', 'auto']) }),
  z.object({ kind: z.literal('reopen'), by, reason: z.string() }),
  z.object({ kind: z.literal('cancel'), by, reason: z.string() }),
]);
export type OrderAction = z.infer<typeof OrderAction>;

export const EngineInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('observe'), observation: Observation }),
  /** one uplink's observations, evaluated with one copy of the rule state */
  z.object({ kind: z.literal('observe_batch'), observations: z.array(Observation).readonly() }),
  z.object({ kind: z.literal('acknowledge_alarm'), alarmId: RecordId, by, note: z.string().optional() }),
  z.object({ kind: z.literal('clear_alarm'), alarmId: RecordId, by, note: z.string().optional() }),
  z.object({ kind: z.literal('order'), orderId: RecordId, action: OrderAction, authority: z.literal('operator').optional() }),
  /** checked by the engine itself (StaffInput), so a refusal names the field */
  z.object({ kind: z.literal('upsert_staff'), staff: z.unknown() }),
  z.object({ kind: z.literal('set_staff'), staffId: Slug, available: z.boolean().optional(), zoneId: Slug.nullable().optional() }),
  /** a routine cleaning done outside any work order (the cleaner's round): counters restart */
  z.object({ kind: z.literal('cleaned'), zoneId: Slug, by }),
  /** a person in the control room raises a work order by hand (a phone call, something seen on camera) */
  z.object({ kind: z.literal('raise_order'), order: HandRaisedOrder, by }),
]);
export type EngineInput = z.infer<typeof EngineInput>;

/** One step as the engine took it, with the `now` it took it at. */
export const JournalEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), now: At, input: EngineInput }),
  z.object({ kind: z.literal('tick'), now: At }),
  /** rules replaced (the rules file or PUT /api/v1/rules): the text as saved */
  z.object({ kind: z.literal('reload'), now: At, text: z.string() }),
]);
export type JournalEntry = z.infer<typeof JournalEntry>;

/** A journal entry as stored: numbered per site, after the snapshot it follows. */
export const StoredJournalEntry = z.object({ siteId: SiteId, seq: z.number().int().min(1), entry: JournalEntry });
export type StoredJournalEntry = z.infer<typeof StoredJournalEntry>;
