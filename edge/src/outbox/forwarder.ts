import type { Logger } from 'pino';
import type { UplinkKind } from '@atrium/shared';
import type { Journal } from './journal.ts';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { UplinkClient } from './uplink-client.ts';

/**
 * Moves outbox uplinks to the cloud in id order with a bounded window in flight, deleting
 * each only on its PUBACK. After a restart or a lost connection it starts again from the
 * oldest undelivered uplink; the cloud drops the ids it already stored.
 */
export interface Forwarder {
  pump(): void;
  readonly inflight: number;
  /** What the cloud acknowledged per second over the last REPLAY_WINDOW_MS. */
  replayRate(now: number): { uplinksPerSecond: number; recordsPerSecond: number };
  /** Waits until the outbox is empty or the timeout passes; true when empty. */
  drain(timeoutMs: number): Promise<boolean>;
}

const REPLAY_WINDOW_MS = 10_000;

export function createForwarder(deps: { journal: Journal; uplink: UplinkClient; metrics: EdgeMetrics; logger: Logger; window: number }): Forwarder {
  const { journal, uplink, metrics } = deps;
  const inflight = new Set<number>();
  let lastQueued = 0;
  let waiters: Array<() => void> = [];
  let acked: { at: number; records: number }[] = [];
  const recentAcks = (now: number) => {
    if (acked.length > 0 && acked[0]!.at <= now - REPLAY_WINDOW_MS) acked = acked.filter((a) => a.at > now - REPLAY_WINDOW_MS);
    return acked;
  };

  const settleWaiters = () => {
    if (inflight.size === 0 && journal.stats().outboxRows === 0) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
  };

  const pump = () => {
    if (!uplink.connected) return;
    const room = deps.window - inflight.size;
    if (room <= 0) return;
    for (const row of journal.outboxAfter(lastQueued, room)) {
      // Durably noted before it leaves: an uplink the cloud may have stored must never be rewritten by compaction.
      if (row.id > journal.sentUpTo()) journal.markAllSendable();
      lastQueued = row.id;
      inflight.add(row.id);
      metrics.uplinkInflight.set(inflight.size);
      uplink.publish(row.kind as Exclude<UplinkKind, 'live'>, row.body).then(
        () => {
          journal.delivered(row.id);
          inflight.delete(row.id);
          metrics.uplinks.inc({ kind: row.kind, result: 'acked' });
          metrics.replayedRecords.inc(row.records);
          recentAcks(Date.now()).push({ at: Date.now(), records: row.records });
          metrics.uplinkInflight.set(inflight.size);
          settleWaiters();
          pump();
        },
        (err: Error) => {
          inflight.delete(row.id);
          metrics.uplinks.inc({ kind: row.kind, result: 'error' });
          deps.logger.warn({ err: err.message, outboxId: row.id }, 'uplink not acknowledged; it stays in the outbox');
          lastQueued = Math.min(lastQueued, row.id - 1);
        },
      );
    }
  };
  // A new connection starts from the oldest undelivered uplink (mqtt.js may also resend its own; the cloud dedupes).
  uplink.onConnect(() => {
    lastQueued = 0;
    inflight.clear();
    pump();
  });

  return {
    pump,
    get inflight() {
      return inflight.size;
    },
    replayRate(now) {
      const recent = recentAcks(now);
      const seconds = REPLAY_WINDOW_MS / 1000;
      return { uplinksPerSecond: recent.length / seconds, recordsPerSecond: recent.reduce((n, a) => n + a.records, 0) / seconds };
    },
    drain(timeoutMs) {
      if (inflight.size === 0 && journal.stats().outboxRows === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
