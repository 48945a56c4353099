import type { Client, PublishPacket } from 'aedes';

/**
 * Telemetry publishes parked unacknowledged while the outbox is full. aedes reads a client's
 * next packets only once this one is answered, so holding the answer is backpressure on
 * that device alone: it keeps its readings and resends them if the connection ends.
 */
export interface TelemetryHold {
  hold(client: Client | null, packet: PublishPacket, take: () => void, callback: (error?: Error | null) => void): void;
  /** Takes every held publish whose device is still connected; answers the others without taking them. */
  release(abandoned: (packet: PublishPacket) => void): void;
  readonly size: number;
}

export function createTelemetryHold(): TelemetryHold {
  let held: { client: Client | null; packet: PublishPacket; take: () => void; callback: (error?: Error | null) => void }[] = [];
  return {
    hold(client, packet, take, callback) {
      held.push({ client, packet, take, callback });
    },
    release(abandoned) {
      const waiting = held;
      held = [];
      for (const h of waiting) {
        if (h.client?.closed) {
          // The device never got its PUBACK and will resend after reconnecting: nothing was promised.
          abandoned(h.packet);
          h.callback(null);
        } else {
          h.take();
        }
      }
    },
    get size() {
      return held.length;
    },
  };
}
