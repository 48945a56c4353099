import { deviceTopic } from '@atrium/shared';
import type { Emission } from '../devices/types.ts';

/**
 * What goes on the wire, and what it stands for. A `reading` is one unique device message
 * (the thing reconciliation counts); a `duplicate` re-sends a reading byte for byte (same
 * seq and ts); `malformed` carries no reading at all; `status` is the retained heartbeat.
 */
export interface Reading {
  deviceId: string;
  emission: Emission;
  ts: number;
  seq: number | undefined;
  /** set once the first copy is acknowledged, so a reading is counted exactly once */
  counted: boolean;
}

interface Base {
  topic: string;
  body: string;
  retain: boolean;
}
export type WireMessage =
  | (Base & { kind: 'reading'; reading: Reading; outOfOrder: boolean })
  | (Base & { kind: 'status'; reading: Reading })
  | (Base & { kind: 'duplicate'; reading: Reading })
  | (Base & { kind: 'malformed'; channel: string; flaw: string });

/** Stamps emissions with the device clock and sequence number and serialises them. */
export interface Stamper {
  stamp(emission: Emission): WireMessage;
  /** a sequence number for a message that is not a reading (a malformed one still uses one up) */
  nextSeq(): number;
  /** device clock at a simulated instant */
  clock(simMs: number): number;
}

export function createStamper(siteId: string, deviceId: string, clockOffsetMs: number): Stamper {
  let seq = 0;
  const nextSeq = () => {
    const s = seq;
    seq = (seq + 1) >>> 0; // uint32 wrap, as the firmware's counter does
    return s;
  };
  const clock = (simMs: number) => Math.round(simMs + clockOffsetMs);
  return {
    nextSeq,
    clock,
    stamp(emission) {
      const ts = clock(emission.atMs);
      const topic = deviceTopic(siteId, deviceId, emission.channel);
      if (emission.channel === 'status') {
        const reading: Reading = { deviceId, emission, ts, seq: undefined, counted: false };
        return { kind: 'status', topic, retain: true, body: JSON.stringify({ ts, ...emission.body }), reading };
      }
      const s = nextSeq();
      const reading: Reading = { deviceId, emission, ts, seq: s, counted: false };
      return { kind: 'reading', topic, retain: false, outOfOrder: false, body: JSON.stringify({ ts, seq: s, ...emission.body }), reading };
    },
  };
}
