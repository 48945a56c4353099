import type { Logger } from 'pino';
import type { AlarmRecord, EnvMinute, FootfallMinute } from '@atrium/shared';
import { compactRecords, parseMinuteUplink } from './compaction.ts';
import type { Journal, NewUplink } from './journal.ts';
import type { EdgeMetrics } from '../core/metrics.ts';

/** Coarser and coarser: hour records first, day records if hours are not enough. */
const SPANS = [60, 1440] as const;
const COARSEST = 1440;
/** Work per check, so a large outbox is compacted over several flush ticks without stalling devices. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const CHUNKS_PER_CHECK = 4;
/** Hysteresis: an alarm clears, and held telemetry resumes, this far below where it started. */
const HYSTERESIS = 0.1;

export interface OutboxGuardOptions {
  journal: Journal;
  maxBytes: number;
  /** fraction of maxBytes at which the near-full alarm is raised */
  alarmRatio: number;
  /** Builds a minute uplink (envelope, id) around compacted records. */
  wrap(records: { footfall: FootfallMinute[]; env: EnvMinute[] }): NewUplink[];
  logger: Logger;
  metrics: EdgeMetrics;
}

/**
 * Keeps the outbox within its bound without ever dropping what a device was promised:
 * nearing the bound raises an alarm; at the bound minute telemetry is merged into hour, then
 * day, records; when even that cannot make room, new telemetry is no longer acknowledged
 * (devices keep it and resend) while events, status and alarms are still taken.
 */
export interface OutboxGuard {
  /** Run after every fold; returns the alarms raised or cleared, to be forwarded. */
  check(now: number): AlarmRecord[];
  readonly alarmRaised: boolean;
  readonly telemetryPaused: boolean;
}

export function createOutboxGuard(opts: OutboxGuardOptions): OutboxGuard {
  const { journal, maxBytes, logger, metrics } = opts;
  const alarmAt = maxBytes * opts.alarmRatio;
  let alarmRaised = false;
  let telemetryPaused = false;
  metrics.outboxMaxBytes.set(maxBytes);

  const alarm = (type: AlarmRecord['type'], state: AlarmRecord['state'], now: number, data: AlarmRecord['data']): AlarmRecord => ({ ts: now, type, state, data });

  /** One chunk of the oldest never-sent minute uplinks below `span`; null when there is none. */
  const compactOnce = (span: number) => {
    const rows = journal.compactable(journal.sentUpTo(), span, CHUNK_BYTES);
    if (rows.length === 0) return null;
    const merged = compactRecords(rows.map((r) => parseMinuteUplink(r.body)), span);
    const uplinks = opts.wrap(merged);
    const before = rows.reduce((n, r) => n + r.bytes, 0);
    const after = uplinks.reduce((n, u) => n + Buffer.byteLength(u.body), 0);
    // Nothing to gain (records already one per device and span): mark them so they are not tried again.
    journal.replace(rows, after < before ? uplinks : [], span);
    const records = { before: rows.reduce((n, r) => n + r.records, 0), after: merged.footfall.length + merged.env.length };
    return { uplinks: rows.length, bytesBefore: before, bytesAfter: Math.min(before, after), recordsBefore: records.before, recordsAfter: after < before ? records.after : records.before };
  };

  const compact = (now: number): AlarmRecord[] => {
    const out: AlarmRecord[] = [];
    let chunks = 0;
    for (const span of SPANS) {
      while (chunks < CHUNKS_PER_CHECK && journal.stats().outboxBytes >= alarmAt - maxBytes * HYSTERESIS) {
        const done = compactOnce(span);
        if (!done) break;
        chunks++;
        metrics.outboxCompactions.inc({ span: String(span) });
        metrics.outboxCompactedRecords.inc(done.recordsBefore - done.recordsAfter);
        logger.warn({ ...done, spanMinutes: span, maxBytes }, 'outbox at its bound: minute telemetry merged into coarser records (totals unchanged)');
        out.push(alarm('outbox_compacted', 'raised', now, { ...done, spanMinutes: span, maxBytes }));
      }
    }
    return out;
  };

  return {
    check(now) {
      const out: AlarmRecord[] = [];
      // The alarm goes by the size before any compaction: it did reach the bound, even if merging made room at once.
      const peak = journal.stats().outboxBytes;
      let bytes = peak;
      if (bytes >= maxBytes) {
        out.push(...compact(now));
        bytes = journal.stats().outboxBytes;
        const more = journal.compactable(journal.sentUpTo(), COARSEST, 1).length > 0;
        if (bytes >= maxBytes && !more && !telemetryPaused) {
          telemetryPaused = true;
          logger.warn({ outboxBytes: bytes, maxBytes }, 'outbox full and nothing left to compact: new telemetry is not acknowledged until the cloud takes some (devices keep it)');
          out.push(alarm('outbox_full', 'raised', now, { outboxBytes: bytes, maxBytes }));
        }
      } else if (telemetryPaused && bytes < maxBytes * (1 - HYSTERESIS)) {
        telemetryPaused = false;
        logger.info({ outboxBytes: bytes, maxBytes }, 'outbox has room again: telemetry acknowledged again');
        out.push(alarm('outbox_full', 'cleared', now, { outboxBytes: bytes, maxBytes }));
      }
      if (!alarmRaised && peak >= alarmAt) {
        alarmRaised = true;
        logger.warn({ outboxBytes: peak, maxBytes, alarmRatio: opts.alarmRatio }, 'outbox nearing its bound: the cloud has not taken uplinks for a while');
        out.push(alarm('outbox_high', 'raised', now, { outboxBytes: peak, maxBytes }));
      } else if (alarmRaised && bytes < alarmAt - maxBytes * HYSTERESIS) {
        alarmRaised = false;
        logger.info({ outboxBytes: bytes, maxBytes }, 'outbox back below its alarm level');
        out.push(alarm('outbox_high', 'cleared', now, { outboxBytes: bytes, maxBytes }));
      }
      metrics.outboxAlarm.set(alarmRaised ? 1 : 0);
      metrics.telemetryPaused.set(telemetryPaused ? 1 : 0);
      return out;
    },
    get alarmRaised() {
      return alarmRaised;
    },
    get telemetryPaused() {
      return telemetryPaused;
    },
  };
}
