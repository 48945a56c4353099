import type { Logger } from 'pino';
import type { Reading } from './intake.ts';
import type { Placement } from './placement.ts';

/**
 * A reading as in-process consumers (local Node-RED flows) see it: validated, journaled and
 * acknowledged, placed on its floor, with badge and pickup codes already replaced by their
 * keyed hash so no flow can carry a personal identifier off the gateway.
 */
export type BusReading = Reading & { floorId: string; receivedAt: number };

export interface EdgeBusEvents {
  reading: BusReading;
}

export interface EdgeBus {
  on<E extends keyof EdgeBusEvents>(event: E, listener: (value: EdgeBusEvents[E]) => void): () => void;
  emit<E extends keyof EdgeBusEvents>(event: E, value: EdgeBusEvents[E]): void;
  /** Lets the gateway skip building bus values nobody listens to. */
  listening(event: keyof EdgeBusEvents): boolean;
}

/**
 * Typed and synchronous, like an EventEmitter, but a throwing listener is logged instead of
 * unwinding into the broker callback that emitted: local logic must never break intake.
 */
export function createEdgeBus(logger: Logger): EdgeBus {
  const listeners: { [E in keyof EdgeBusEvents]: Set<(value: EdgeBusEvents[E]) => void> } = { reading: new Set() };
  return {
    on(event, listener) {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    },
    emit(event, value) {
      for (const listener of listeners[event]) {
        try {
          listener(value);
        } catch (err) {
          logger.error({ err: (err as Error).message, event }, 'edge bus listener failed');
        }
      }
    },
    listening: (event) => listeners[event].size > 0,
  };
}

/** `reading` has passed intake, so its badge and pickup codes are already hashed. */
export function toBusReading(reading: Reading, where: Placement, receivedAt: number): BusReading {
  return { ...reading, floorId: where.floorId, receivedAt };
}
