import { GATE_EVENTS, LOCKER_EVENTS, type Device, type DeviceKind, type Subject, type SubjectKind } from '@atrium/shared';
import { subjectKey } from '../profile/weights.ts';
import type { WireMessage } from './wire.ts';

/**
 * The simulator's side of reconciliation. A reading counts once, when the broker first
 * acknowledges (PUBACK) any copy of it; duplicates and malformed messages are tallied
 * separately and never add to footfall. The cloud's stored totals must equal these.
 */
export interface FlowTotals {
  in: number;
  out: number;
  /** radar count readings acknowledged */
  readings: number;
}
export interface SubjectTotals extends FlowTotals {
  kind: SubjectKind;
  id: string;
}
export interface ZoneTotals extends FlowTotals {
  /** the zone's radars split by what they count (zone boundary, entrance, shop door) */
  bySubjectKind: Record<SubjectKind, FlowTotals>;
}
export type LockerEventType = (typeof LOCKER_EVENTS)[number];
export type GateEventType = (typeof GATE_EVENTS)[number];
export interface EventTotals {
  locker: Record<LockerEventType, number>;
  gate: Record<GateEventType, number>;
}
export interface DeviceTally {
  kind: DeviceKind;
  zoneId: string;
  subject?: Subject;
  sent: number;
  acked: number;
  failed: number;
  /** unique seq-bearing readings acknowledged (count, env, state, event) */
  readingsAcked: number;
  in: number;
  out: number;
  /** acknowledged unique events by type */
  events: Record<string, number>;
  statusSent: number;
  duplicatesSent: number;
  malformedSent: number;
  outOfOrderSent: number;
  connects: number;
  dropouts: number;
}
export interface MessageTotals {
  sent: number;
  acked: number;
  failed: number;
  /** sent and neither acknowledged nor failed yet (includes messages buffered while offline) */
  inFlight: number;
  readingsAcked: number;
  statusSent: number;
  duplicatesSent: number;
  malformedSent: number;
  outOfOrderSent: number;
  byChannel: Record<string, { sent: number; acked: number }>;
}
export interface LedgerSnapshot {
  messages: MessageTotals;
  events: EventTotals;
  connections: { devices: number; connected: number; connects: number; dropouts: number };
  /** keyed `${kind}:${id}`, e.g. `entrance:g-west` */
  subjects: Record<string, SubjectTotals>;
  zones: Record<string, ZoneTotals>;
  devices: Record<string, DeviceTally>;
}

export interface Ledger {
  sent(msg: WireMessage): void;
  acked(msg: WireMessage): void;
  failed(msg: WireMessage): void;
  connected(deviceId: string): void;
  disconnected(deviceId: string, dropout: boolean): void;
  snapshot(): LedgerSnapshot;
}

const zeroFlow = (): FlowTotals => ({ in: 0, out: 0, readings: 0 });
const zeroed = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const channelOf = (m: WireMessage): string => (m.kind === 'malformed' ? m.channel : m.reading.emission.channel);
const deviceOf = (m: WireMessage): string => m.topic.split('/')[2] ?? '';

export function createLedger(devices: readonly Device[]): Ledger {
  const tally = new Map<string, DeviceTally>();
  for (const d of devices) {
    tally.set(d.id, {
      kind: d.kind,
      zoneId: d.zoneId,
      ...(d.subject ? { subject: d.subject } : {}),
      sent: 0,
      acked: 0,
      failed: 0,
      readingsAcked: 0,
      in: 0,
      out: 0,
      events: {},
      statusSent: 0,
      duplicatesSent: 0,
      malformedSent: 0,
      outOfOrderSent: 0,
      connects: 0,
      dropouts: 0,
    });
  }
  const online = new Set<string>();
  const byChannel = new Map<string, { sent: number; acked: number }>();
  const events: EventTotals = { locker: zeroed(LOCKER_EVENTS), gate: zeroed(GATE_EVENTS) };
  const t = (id: string): DeviceTally => {
    const x = tally.get(id);
    if (!x) throw new RangeError(`ledger has no device ${id}`);
    return x;
  };
  const channel = (m: WireMessage) => {
    const key = channelOf(m);
    let c = byChannel.get(key);
    if (!c) byChannel.set(key, (c = { sent: 0, acked: 0 }));
    return c;
  };

  return {
    sent(m) {
      const d = t(deviceOf(m));
      d.sent++;
      channel(m).sent++;
      if (m.kind === 'status') d.statusSent++;
      if (m.kind === 'duplicate') d.duplicatesSent++;
      if (m.kind === 'malformed') d.malformedSent++;
      if (m.kind === 'reading' && m.outOfOrder) d.outOfOrderSent++;
    },
    acked(m) {
      const d = t(deviceOf(m));
      d.acked++;
      channel(m).acked++;
      if (m.kind === 'malformed' || m.kind === 'status' || m.reading.counted) return;
      m.reading.counted = true;
      d.readingsAcked++;
      const e = m.reading.emission;
      if (e.channel === 'count') {
        d.in += e.body.in;
        d.out += e.body.out;
      } else if (e.channel === 'event') {
        d.events[e.body.event] = (d.events[e.body.event] ?? 0) + 1;
        if (e.family === 'locker') events.locker[e.body.event]++;
        else events.gate[e.body.event]++;
      }
    },
    failed(m) {
      t(deviceOf(m)).failed++;
    },
    connected(id) {
      t(id).connects++;
      online.add(id);
    },
    disconnected(id, dropout) {
      if (dropout) t(id).dropouts++;
      online.delete(id);
    },
    snapshot() {
      const messages: MessageTotals = {
        sent: 0,
        acked: 0,
        failed: 0,
        inFlight: 0,
        readingsAcked: 0,
        statusSent: 0,
        duplicatesSent: 0,
        malformedSent: 0,
        outOfOrderSent: 0,
        byChannel: Object.fromEntries([...byChannel].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }])),
      };
      const subjects: Record<string, SubjectTotals> = {};
      const zones: Record<string, ZoneTotals> = {};
      let connects = 0;
      let dropouts = 0;
      for (const d of tally.values()) {
        for (const k of ['sent', 'acked', 'failed', 'readingsAcked', 'statusSent', 'duplicatesSent', 'malformedSent', 'outOfOrderSent'] as const) messages[k] += d[k];
        connects += d.connects;
        dropouts += d.dropouts;
        if (d.kind !== 'radar') continue;
        const s = d.subject ?? { kind: 'zone' as const, id: d.zoneId };
        const st = (subjects[subjectKey(s)] ??= { kind: s.kind, id: s.id, ...zeroFlow() });
        const z = (zones[d.zoneId] ??= { ...zeroFlow(), bySubjectKind: { zone: zeroFlow(), entrance: zeroFlow(), shop: zeroFlow() } });
        for (const target of [st, z, z.bySubjectKind[s.kind]]) {
          target.in += d.in;
          target.out += d.out;
          target.readings += d.readingsAcked;
        }
      }
      messages.inFlight = messages.sent - messages.acked - messages.failed;
      return {
        messages,
        events: { locker: { ...events.locker }, gate: { ...events.gate } },
        connections: { devices: tally.size, connected: online.size, connects, dropouts },
        subjects,
        zones,
        devices: Object.fromEntries([...tally].map(([id, d]) => [id, { ...d, events: { ...d.events } }])),
      };
    },
  };
}
