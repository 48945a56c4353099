import type { Client } from 'aedes';

/**
 * Telemetry publishes parked unacknowledged while the outbox is full. aedes reads a client's
 * next packets only once this one is answered, so holding the answer is backpressure on
 * that device alone: it keeps its readings and resends them if the connection ends.
 */
export interface TelemetryHold {
  /** `take` resumes the publish; `abandon` answers it without taking it. */
  hold(client: Client | null, take: () => void, abandon: () => void): void;
  /** Takes every held publish whose device is still connected; abandons the others. */
  release(): void;
  readonly size: number;
}

export function createTelemetryHold(): TelemetryHold {
  let held: { client: Client | null; take: () => void; abandon: () => void }[] = [];
  return {
    hold(client, take, abandon) {
      held.push({ client, take, abandon });
    },
    release() {
      const waiting = held;
      held = [];
      for (const h of waiting) {
        // A device that left never got its PUBACK and will resend after reconnecting: nothing was promised.
        if (h.client?.closed) h.abandon();
        else h.take();
      }
    },
    get size() {
      return held.length;
    },
  };
}
