import type { SiteIndex } from '@atrium/shared';
import { checkTopic } from '../readings/intake.ts';
import type { Authenticated, Publish, Step } from './step.ts';

/**
 * Who is publishing, and may they publish here: the device authenticated at CONNECT (see
 * devices/auth.ts) publishes only under its own topic, to a channel its family has.
 */
export function authenticate(deps: { site: SiteIndex }): Step<Publish, Authenticated> {
  return {
    name: 'authenticate',
    run(publish) {
      const result = checkTopic(deps.site, publish.deviceId, publish.packet.topic);
      if (!result.ok) return { refuse: result.rejection, context: { topic: publish.packet.topic } };
      return { pass: { ...publish, addressed: result.addressed } };
    },
  };
}
