import type { Collector } from '../readings/collector.ts';
import type { Step, Taken } from './step.ts';

/** Into the open minutes, the live view or the event queues, until the next fold into the outbox. */
export function aggregate(deps: { collector: Collector }): Step<Taken, Taken> {
  return {
    name: 'aggregate',
    run(publish) {
      deps.collector.add(publish.reading, publish.receivedAt, publish.journalId);
      return { pass: publish };
    },
  };
}
