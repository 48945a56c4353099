import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { LIVE_EVENTS, type ClientToServerEvents, type Effect, type InterServerEvents, type LiveSocketData, type Principal, type ServerToClientEvents } from '@atrium/shared';
import { hashApiKey } from '../auth/api-keys.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { DispatchService } from '../ops/dispatch-service.ts';
import type { ZoneState } from './zone-state.ts';
import type { SiteClock } from './site-clock.ts';
import type { CloudMetrics } from '../metrics.ts';

/** Rooms: who hears what. Nothing is broadcast to every socket. */
export const ROOMS = {
  site: 'site',
  staff: (staffId: string) => `staff:${staffId}`,
  merchant: (merchantId: string) => `merchant:${merchantId}`,
  /** every socket of one user, so a revoked key can end them all */
  user: (userId: string) => `user:${userId}`,
} as const;

/** The rooms a principal joins; the only place that decides it. */
export function roomsFor(p: Principal): string[] {
  const rooms: string[] = [];
  if (p.role === 'admin' || p.role === 'operator' || p.role === 'supervisor') rooms.push(ROOMS.site);
  if (p.staffId) rooms.push(ROOMS.staff(p.staffId));
  if (p.role === 'merchant' && p.merchantId) rooms.push(ROOMS.merchant(p.merchantId));
  return rooms;
}

export interface LiveDeps {
  zones: ZoneState;
  ingest: Ingest;
  metrics: CloudMetrics;
  dispatch: DispatchService;
  siteClock: SiteClock;
  principalByKeyHash: (keyHash: string) => Promise<Principal | null>;
  /** the signed-in person a handshake's Cookie header carries, or null */
  principalBySession: (cookieHeader: string | undefined) => Promise<Principal | null>;
  /** tells of users whose key stopped working (Users.onRevoked) */
  onRevoked: (listener: (userId: string) => void) => unknown;
}

/**
 * The live adapter. A page's handshake carries its session cookie; a script sends its API key
 * (`auth: { key }`). A control-room page gets the whole picture, then only what changes; staff
 * hear their own orders and notifications. Unknown keys and sessions are refused before any
 * data flows.
 */
/** The cloud's socket.io server, typed by the shared event maps. */
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, LiveSocketData>;

export function attachLive(server: HttpServer, deps: LiveDeps): LiveServer {
  const io: LiveServer = new Server(server, { serveClient: true, cors: { origin: false } });
  io.use((socket, next) => {
    const key = (socket.handshake.auth as { key?: unknown } | undefined)?.key;
    const who = typeof key === 'string' && key !== '' ? deps.principalByKeyHash(hashApiKey(key)) : deps.principalBySession(socket.handshake.headers.cookie);
    who.then(
      (principal) => {
        if (!principal) return next(new Error(key ? 'ATRIUM_UNAUTHENTICATED: the API key is unknown or disabled' : 'ATRIUM_UNAUTHENTICATED: sign in again (or send auth: { key: <API key> })'));
        socket.data.principal = principal;
        next();
      },
      (err: Error) => next(err),
    );
  });
  io.on('connection', (socket) => {
    deps.metrics.liveClients.set(io.engine.clientsCount);
    const { principal } = socket.data;
    const rooms = roomsFor(principal);
    void socket.join([...rooms, ROOMS.user(principal.userId)]);
    socket.emit(LIVE_EVENTS.hello, { principal, zones: rooms.includes(ROOMS.site) ? deps.zones.all() : [] });
    socket.emit(LIVE_EVENTS.clock, deps.siteClock.reading());
    socket.on('disconnect', () => deps.metrics.liveClients.set(io.engine.clientsCount));
  });
  // A key checked at the handshake is not checked again: revocation has to end the session itself.
  deps.onRevoked((userId) => io.in(ROOMS.user(userId)).disconnectSockets(true));
  // The clock is no secret: every page gets it, so countdowns stay on the SLA timers' clock.
  deps.siteClock.onBeat((reading) => io.emit(LIVE_EVENTS.clock, reading));
  deps.ingest.onZones((zones) => io.to(ROOMS.site).emit(LIVE_EVENTS.zones, zones));
  deps.dispatch.onEffects((effects) => {
    for (const e of effects) deliver(io, e);
  });
  return io;
}

function deliver(io: LiveServer, e: Effect): void {
  switch (e.kind) {
    case 'alarm':
      io.to(ROOMS.site).emit(LIVE_EVENTS.alarm, { change: e.change, alarm: e.alarm });
      return;
    case 'work_order': {
      const staff = new Set([e.order.assignee, ...e.order.history.slice(-1).map((h) => h.staffId)].filter((s): s is string => s !== null));
      io.to([ROOMS.site, ...[...staff].map(ROOMS.staff)]).emit(LIVE_EVENTS.workOrder, { change: e.change, order: e.order });
      return;
    }
    case 'notify':
      io.to([ROOMS.site, ...e.to.map(ROOMS.staff)]).emit(LIVE_EVENTS.notification, e);
      return;
    case 'staff':
      io.to([ROOMS.site, ROOMS.staff(e.staff.id)]).emit(LIVE_EVENTS.staff, e.staff);
      return;
    case 'counters_reset':
      io.to(ROOMS.site).emit(LIVE_EVENTS.countersReset, e);
      return;
    case 'sla_breach':
      io.to(ROOMS.site).emit(LIVE_EVENTS.slaBreach, e);
      return;
  }
}
