import type { Logger } from 'pino';
import { deviceTopic, type SiteIndex } from '@atrium/shared';
import type { Journal } from '../outbox/journal.ts';
import type { Collector } from '../readings/collector.ts';
import { checkPublish } from '../readings/intake.ts';

/**
 * After a restart: readings that were acknowledged but not yet folded into the outbox go back
 * where the aggregate step put them. They were checked at intake; the size bound is not
 * applied again (it may have been lowered since).
 */
export function replayJournal(deps: { site: SiteIndex; journal: Journal; collector: Collector; logger: Logger }): void {
  const { site, journal, logger } = deps;
  let replayed = 0;
  for (const r of journal.pendingReadings()) {
    const result = checkPublish({ site, maxPayloadBytes: Number.MAX_SAFE_INTEGER }, r.deviceId, deviceTopic(site.site.id, r.deviceId, r.channel), Buffer.from(r.body));
    if (!result.ok) {
      logger.error({ deviceId: r.deviceId, reason: result.rejection.code }, 'journaled reading no longer fits the site model; kept unfolded');
      continue;
    }
    deps.collector.add(result.reading, r.receivedAt, r.id);
    replayed++;
  }
  const stats = journal.stats();
  if (replayed > 0 || stats.outboxRows > 0) logger.info({ replayedReadings: replayed, outboxUplinks: stats.outboxRows }, 'resuming from the journal');
}
