import type { Logger } from 'pino';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { OutboxGuard } from '../outbox/guard.ts';
import type { Journal } from '../outbox/journal.ts';
import type { TelemetryHold } from '../outbox/telemetry-hold.ts';
import { divert, type Journaled, type Outcome, type Step, type Validated } from './step.ts';

/**
 * Commits the reading to the on-disk journal; nothing is acknowledged before this. The
 * validated value is stored, not the raw payload, so personal codes are on disk only hashed. While the
 * outbox is full, new telemetry waits here unanswered (the device keeps it) until the cloud
 * takes some; events and status always go through.
 */
export function journalStep(deps: {
  journal: Journal;
  guard: OutboxGuard;
  hold: TelemetryHold;
  metrics: EdgeMetrics;
  logger: Logger;
  shouldLog: (key: string) => boolean;
}): Step<Validated, Journaled> {
  const { journal, logger } = deps;
  const append = (publish: Validated): Promise<Outcome<Journaled>> => {
    const { reading, deviceId } = publish;
    const seq = reading.channel === 'status' ? -1 : reading.value.seq;
    return journal.append(deviceId, reading.channel, seq, reading.value.ts, JSON.stringify(reading.value), publish.receivedAt).then(
      (journalId) => ({ pass: { ...publish, journalId } }),
      (err: Error) => {
        logger.error({ err: err.message, deviceId }, 'journal write failed; the device will resend');
        publish.answer(err);
        return { stop: true };
      },
    );
  };
  return {
    name: 'journal',
    run(publish) {
      const telemetry = publish.reading.channel === 'count' || publish.reading.channel === 'env';
      if (!deps.guard.telemetryPaused || !telemetry) return append(publish);
      deps.metrics.telemetryHeld.inc();
      if (deps.shouldLog(`${publish.deviceId}|held`)) logger.warn({ deviceId: publish.deviceId }, 'outbox full: telemetry held unacknowledged until the cloud takes some');
      return new Promise((resolve) =>
        deps.hold.hold(
          publish.client,
          () => resolve(append(publish)),
          () => {
            divert(publish.packet, 'outbox_full');
            publish.answer(null);
            resolve({ stop: true });
          },
        ),
      );
    },
  };
}
