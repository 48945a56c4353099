import { z } from 'zod';
import { ZoneLive } from './api.ts';
import { SiteClockReading } from './rest/clock.ts';
import { AlertEvent } from './merchants.ts';
import { AlarmEffect, CountersResetEffect, NotifyEffect, SlaBreachEffect, WorkOrderEffect } from './ops/effect.ts';
import { StaffMember } from './ops/staff.ts';
import { Principal } from './ops/user.ts';

/**
 * socket.io, typed once for the server and every page. A client authenticates in the
 * handshake; the control room gets zones, alarms, work orders, staff and every notification;
 * a member of staff their own orders and notifications; a merchant their own shops' alerts.
 * One payload shape per event: the map below is the contract, and the TypeScript event maps
 * socket.io takes are derived from it.
 */
export const LiveHello = z.object({ principal: Principal, zones: z.array(ZoneLive) });
export type LiveHello = z.infer<typeof LiveHello>;
export const AlarmChange = AlarmEffect.omit({ kind: true });
export type AlarmChange = z.infer<typeof AlarmChange>;
export const WorkOrderChange = WorkOrderEffect.omit({ kind: true });
export type WorkOrderChange = z.infer<typeof WorkOrderChange>;

export const SERVER_EVENTS = {
  hello: LiveHello,
  zones: z.array(ZoneLive),
  alarm: AlarmChange,
  work_order: WorkOrderChange,
  notification: NotifyEffect,
  sla_breach: SlaBreachEffect,
  staff: StaffMember,
  counters_reset: CountersResetEffect,
  merchant_alert: AlertEvent,
  /** the site's clock: on connect and every few seconds, so countdowns follow an accelerated demo */
  clock: SiteClockReading,
} as const;
export type ServerEventName = keyof typeof SERVER_EVENTS;
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof SERVER_EVENTS)[E]>;

/** Server → client (socket.io's ServerToClientEvents). */
export type ServerToClientEvents = { [E in ServerEventName]: (payload: ServerEventPayload<E>) => void };
/** Client → server: none. Pages change things through the REST API, where every body is checked and every change audited. */
export type ClientToServerEvents = Record<never, never>;
export type InterServerEvents = Record<never, never>;
/** What the server keeps on each socket once the handshake authenticated it. */
export interface LiveSocketData {
  principal: Principal;
}

/** The event names by what they are about, for code that prefers words to wire names. */
export const LIVE_EVENTS = {
  hello: 'hello',
  zones: 'zones',
  alarm: 'alarm',
  workOrder: 'work_order',
  notification: 'notification',
  slaBreach: 'sla_breach',
  staff: 'staff',
  countersReset: 'counters_reset',
  merchantAlert: 'merchant_alert',
  clock: 'clock',
} as const satisfies Record<string, ServerEventName>;
