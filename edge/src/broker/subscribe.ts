import type { Aedes } from 'aedes';
import { commandTopic } from '@atrium/shared';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { Refusals } from '../core/refusals.ts';

/** A device may listen only to its own command topics. */
export function authorizeSubscribe(deps: { siteId: string; metrics: EdgeMetrics; refusals: Refusals }): NonNullable<Aedes['authorizeSubscribe']> {
  return (client, sub, callback) => {
    const own = commandTopic(deps.siteId, client.id, '');
    if (sub.topic === `${own}#` || (sub.topic.startsWith(own) && !/[+#]/.test(sub.topic))) return callback(null, sub);
    deps.metrics.subscribeDenied.inc();
    deps.refusals.report(client.id, { code: 'subscribe_not_allowed', detail: `may subscribe only to ${own}#, not "${sub.topic}"` });
    callback(null, null);
  };
}
