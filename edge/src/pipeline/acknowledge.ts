import type { EdgeMetrics } from '../core/metrics.ts';
import type { Journaled, Step, Taken } from './step.ts';

/** The PUBACK, now that the reading is on disk: an acknowledged reading is never lost. A resend is acknowledged too, and counted, but taken once. */
export function acknowledge(deps: { metrics: EdgeMetrics }): Step<Journaled, Taken> {
  return {
    name: 'acknowledge',
    run(publish) {
      const { journalId } = publish;
      if (journalId === null) return { refuse: { code: 'duplicate', detail: 'already journaled (a resend)' }, quiet: true };
      deps.metrics.accepted.inc({ channel: publish.reading.channel });
      publish.answer(null);
      return { pass: { ...publish, journalId } };
    },
  };
}
