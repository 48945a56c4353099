import type { Logger } from 'pino';
import { LiveUplink, Uplink, createLogThrottle, describeIssues, type GatewayOwnership, type MinuteUplink, type ZoneLive } from '@atrium/shared';
import type { CloudMetrics } from '../metrics.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { ownLive, ownPart, recordCount, type Refusals } from './ownership.ts';
import { AHEAD_TOLERANCE_MS, presentLive, presentPart } from './present.ts';

/**
 * What ingest needs of the live zone picture (live/zone-state.ts provides it). Declared here
 * so ingest does not import live/, whose socket adapter listens to ingest.
 */
export interface ZoneUpdates {
  applyLive(live: LiveUplink): ZoneLive[];
  applyMinute(uplink: MinuteUplink): ZoneLive[];
}

export type IngestOutcome = { outcome: 'stored' | 'duplicate'; kind: Uplink['kind'] } | { outcome: 'rejected'; reason: string };

/**
 * Turns uplinks into stored series and live zone state. Knows nothing of MQTT: the broker
 * adapter hands it parsed JSON and acknowledges only when `accept` resolves.
 */
export interface Ingest {
  /**
   * `gatewayId` is the gateway that delivered it (logged in as). Resolves once stored (or
   * recognised as a duplicate, or refused as malformed or as another gateway's); rejects when
   * the store fails. Records of devices that are not the gateway's own are left out.
   */
  accept(payload: Buffer | string, receivedAt: number, gatewayId: string): Promise<IngestOutcome>;
  acceptLive(payload: Buffer | string, gatewayId: string): IngestOutcome | { outcome: 'live' };
  /** Called with every batch of changed zones. */
  onZones(listener: (zones: ZoneLive[]) => void): void;
  /** Called with every uplink once it is stored, without records stamped ahead of the clock; never with a duplicate (footfall is additive). */
  onStored(listener: (uplink: Uplink) => void): void;
  /** Called with every live occupancy update. */
  onLive(listener: (live: LiveUplink) => void): void;
}

export function createIngest(deps: {
  store: SeriesStore;
  zones: ZoneUpdates;
  metrics: CloudMetrics;
  logger: Logger;
  siteId: string;
  /** which gateway may deliver which device's data (the site model's) */
  ownership: GatewayOwnership;
  /** the site's clock (an accelerated demo passes its own): samples ahead of it are not live */
  clock?: () => number;
}): Ingest {
  const { store, zones, metrics, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const throttle = createLogThrottle(60_000, 1000);
  const noteFuture = (gatewayId: string, kind: string, ignored: number, horizon: number) => {
    if (ignored > 0 && throttle.shouldLog(`${gatewayId}|${kind}`)) {
      logger.warn({ gatewayId, kind, ignored, horizon: new Date(horizon).toISOString() }, 'records stamped ahead of the cloud clock: stored, but left out of live zone state and rules');
    }
  };
  const listeners: Array<(zones: ZoneLive[]) => void> = [];
  const storedListeners: Array<(uplink: Uplink) => void> = [];
  const liveListeners: Array<(live: LiveUplink) => void> = [];
  const emit = (changed: ZoneLive[]) => {
    if (changed.length > 0) for (const l of listeners) l(changed);
  };
  const refuse = (kind: string, reason: string): IngestOutcome => {
    metrics.uplinks.inc({ kind, outcome: 'rejected' });
    logger.warn({ kind, reason }, 'uplink refused');
    return { outcome: 'rejected', reason };
  };
  // Keyed by the logged-in gateway and the reason: a gateway sending another's data all day is a line a minute, with counts.
  const refusalLog = createLogThrottle(60_000, 1000);
  const noteRefused = (gatewayId: string, kind: string, refused: Refusals) => {
    for (const [reason, { count, examples }] of refused) {
      metrics.recordsRefused.inc({ reason }, count);
      if (refusalLog.shouldLog(`${gatewayId}|${reason}`)) logger.warn({ gatewayId, kind, reason, records: count, examples }, "records refused: not this gateway's devices (not stored; the rest of the uplink is)");
    }
  };
  /** The envelope must name the gateway that delivered it: the whole uplink is refused otherwise. */
  const mismatch = (gatewayId: string, named: string, kind: string, records: number): IngestOutcome => {
    metrics.uplinks.inc({ kind, outcome: 'rejected' });
    metrics.recordsRefused.inc({ reason: 'gateway_mismatch' }, records);
    if (refusalLog.shouldLog(`${gatewayId}|gateway_mismatch`)) logger.warn({ gatewayId, named, kind, records }, 'uplink refused: it names another gateway than the one that delivered it');
    return { outcome: 'rejected', reason: `gatewayId: delivered by gateway "${gatewayId}", not "${named}"` };
  };

  return {
    async accept(payload, receivedAt, gatewayId) {
      const body = parseJson(payload);
      if (!body.ok) return refuse('unknown', body.reason);
      const parsed = Uplink.safeParse(body.value);
      if (!parsed.success) return refuse('unknown', describeIssues(parsed.error));
      if (parsed.data.siteId !== deps.siteId) return refuse(parsed.data.kind, `siteId: this cloud serves site "${deps.siteId}", not "${parsed.data.siteId}"`);
      if (parsed.data.gatewayId !== gatewayId) return mismatch(gatewayId, parsed.data.gatewayId, parsed.data.kind, recordCount(parsed.data));
      const own = ownPart(parsed.data, gatewayId, deps.ownership);
      const uplink = own.uplink;
      const stop = metrics.writeSeconds.startTimer();
      let stored: boolean;
      try {
        ({ stored } = await store.writeUplink(uplink, receivedAt));
      } catch (err) {
        metrics.uplinks.inc({ kind: uplink.kind, outcome: 'failed' });
        logger.error({ err, uplinkId: uplink.id }, 'storing uplink failed; it stays unacknowledged so the edge resends it');
        throw err;
      } finally {
        stop();
      }
      metrics.uplinks.inc({ kind: uplink.kind, outcome: stored ? 'stored' : 'duplicate' });
      if (!stored) return { outcome: 'duplicate', kind: uplink.kind };
      // Counted with the uplink it came in, once: a redelivery is cut the same way and not counted again.
      noteRefused(gatewayId, uplink.kind, own.refused);
      const horizon = clock() + AHEAD_TOLERANCE_MS;
      const present = presentPart(uplink, horizon);
      noteFuture(uplink.gatewayId, uplink.kind, present.ignored, horizon);
      if (uplink.kind === 'minute') metrics.records.inc({ kind: 'minute' }, uplink.footfall.length + uplink.env.length);
      else metrics.records.inc({ kind: uplink.kind }, uplink.kind === 'events' ? uplink.events.length : uplink.devices.length);
      if (present.uplink.kind === 'minute') emit(zones.applyMinute(present.uplink));
      for (const l of storedListeners) l(present.uplink);
      return { outcome: 'stored', kind: uplink.kind };
    },
    acceptLive(payload, gatewayId) {
      const body = parseJson(payload);
      if (!body.ok) return refuse('live', body.reason);
      const parsed = LiveUplink.safeParse(body.value);
      if (!parsed.success) return refuse('live', describeIssues(parsed.error));
      if (parsed.data.siteId !== deps.siteId) return refuse('live', `siteId: this cloud serves site "${deps.siteId}", not "${parsed.data.siteId}"`);
      if (parsed.data.gatewayId !== gatewayId) return mismatch(gatewayId, parsed.data.gatewayId, 'live', parsed.data.zones.length);
      const own = ownLive(parsed.data, gatewayId, deps.ownership);
      noteRefused(gatewayId, 'live', own.refused);
      const horizon = clock() + AHEAD_TOLERANCE_MS;
      const { live, ignored } = presentLive(own.live, horizon);
      noteFuture(live.gatewayId, 'live', ignored, horizon);
      emit(zones.applyLive(live));
      for (const l of liveListeners) l(live);
      return { outcome: 'live' };
    },
    onZones(listener) {
      listeners.push(listener);
    },
    onStored(listener) {
      storedListeners.push(listener);
    },
    onLive(listener) {
      liveListeners.push(listener);
    },
  };
}

function parseJson(payload: Buffer | string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(payload.toString()) };
  } catch (err) {
    return { ok: false, reason: `payload is not JSON: ${(err as Error).message}` };
  }
}
