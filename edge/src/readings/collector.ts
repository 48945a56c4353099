import type { DeviceEventRecord, DeviceStatusRecord, SiteIndex } from '@atrium/shared';
import type { Aggregator } from './aggregator.ts';
import type { Reading } from './intake.ts';
import type { LiveOccupancy } from './live.ts';
import { eventRecord, lockerStateRecord, statusRecord } from './normalise.ts';
import { placementOf } from './placement.ts';

export interface Queued<R> {
  record: R;
  /** The journal id of the reading it came from, marked folded with the uplink that carries it. */
  id: number;
}

/**
 * Where journaled readings wait for the next fold into outbox uplinks: telemetry in the
 * aggregator's open minutes (radar occupancy also feeds the live view), events and status
 * records in queues. Fed at intake and, after a restart, from the journal.
 */
export interface Collector {
  add(reading: Reading, receivedAt: number, journalId: number): void;
  queued(): { events: readonly Queued<DeviceEventRecord>[]; statuses: readonly Queued<DeviceStatusRecord>[] };
  /** After the queued records are in the outbox. */
  clearQueued(): void;
}

export function createCollector(deps: { site: SiteIndex; aggregator: Aggregator; live: LiveOccupancy }): Collector {
  const { site, aggregator, live } = deps;
  let events: Queued<DeviceEventRecord>[] = [];
  let statuses: Queued<DeviceStatusRecord>[] = [];
  return {
    add(reading, receivedAt, id) {
      const where = placementOf(site, reading.device);
      switch (reading.channel) {
        case 'count': {
          const subject = reading.device.subject ?? { kind: 'zone' as const, id: reading.device.zoneId };
          aggregator.addCount(where, subject, reading.value, receivedAt, id);
          if (reading.value.occupancy !== undefined) live.update(reading.device, reading.value.occupancy, reading.value.ts, receivedAt);
          break;
        }
        case 'env':
          aggregator.addEnv(where, reading.value, receivedAt, id);
          break;
        case 'event':
          events.push({ record: eventRecord(where, reading.device, reading.value), id });
          break;
        case 'state':
          events.push({ record: lockerStateRecord(where, reading.value), id });
          break;
        case 'status':
          statuses.push({ record: statusRecord(where, reading.device, reading.value), id });
          break;
      }
    },
    queued: () => ({ events, statuses }),
    clearQueued() {
      events = [];
      statuses = [];
    },
  };
}
