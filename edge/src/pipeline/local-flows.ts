import type { SiteIndex } from '@atrium/shared';
import { toBusReading, type EdgeBus } from '../readings/bus.ts';
import { placementOf } from '../readings/placement.ts';
import type { Step, Taken } from './step.ts';

/** After the PUBACK: local flows (Node-RED) see only what is journaled, and never delay a device. */
export function publishToLocalFlows(deps: { site: SiteIndex; bus: EdgeBus }): Step<Taken, Taken> {
  return {
    name: 'local-flows',
    run(publish) {
      if (deps.bus.listening('reading')) {
        deps.bus.emit('reading', toBusReading(publish.reading, placementOf(deps.site, publish.reading.device), publish.receivedAt));
      }
      return { pass: publish };
    },
  };
}
