import type { SiteIndex } from '@atrium/shared';
import { checkPlausible, type Plausibility } from '../readings/plausibility.ts';
import type { Step, Validated } from './step.ts';

/** Device time near the gateway's clock, counts its kind can produce (readings/plausibility.ts). */
export function plausible(deps: { site: SiteIndex; limits: Plausibility; clock: () => number }): Step<Validated, Validated> {
  return {
    name: 'plausible',
    run(publish) {
      const rejection = checkPlausible(deps.site, publish.reading, deps.clock(), deps.limits);
      if (rejection) return { refuse: rejection, context: { topic: publish.packet.topic } };
      return { pass: publish };
    },
  };
}
