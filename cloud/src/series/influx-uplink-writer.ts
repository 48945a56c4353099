import type { Uplink } from '@atrium/shared';
import type { SqlClient } from '../db/sql-client.ts';
import { uplinkLines, uplinkPointsBound } from './influx-lines.ts';
import type { InfluxOutbox } from './influx-outbox.ts';
import type { InfluxRollups } from './influx-rollups.ts';

/**
 * Group commit for the InfluxDB store's write path. Uplinks that arrive while a transaction
 * runs wait for it and then go together in the next one: one ledger insert, one outbox insert
 * and one rollup mark per site for the whole group, instead of a transaction of four
 * statements each. A lone uplink is not delayed (its group is itself). On the embedded
 * database each statement costs far more than its rows (its CPU per uplink fell from about
 * 5 ms to under 2 ms in groups of eight, bench/influx-write.ts), and on a server database it
 * saves the round trips.
 *
 * Each uplink of a group keeps its own outcome: a redelivered id is not stored again, an
 * uplink the buffer has no room for is refused (its ledger row taken back in the same
 * transaction) while the others are stored, and only a failed transaction fails them all.
 */

export type WriteOutcome =
  | { stored: false }
  | { stored: true; seq: number; points: number; /** still waiting in the buffer (not yet written by a flusher that read the table) */ queued: boolean };

interface Job {
  uplink: Uplink;
  receivedAt: number;
  resolve: (o: WriteOutcome) => void;
  reject: (err: unknown) => void;
}

export interface UplinkWriterOptions {
  sql: SqlClient;
  outbox: InfluxOutbox;
  rollups: Pick<InfluxRollups, 'mark'>;
  /** A group closes at this many points (at least one uplink). */
  groupPoints: number;
  onRefused?: () => void;
}

export function createUplinkWriter(opts: UplinkWriterOptions): (uplink: Uplink, receivedAt: number) => Promise<WriteOutcome> {
  const { sql, outbox } = opts;
  const queue: Job[] = [];
  let running = false;

  const takeGroup = (): Job[] => {
    let points = 0;
    let n = 0;
    while (n < queue.length) {
      const bound = uplinkPointsBound(queue[n]!.uplink);
      if (n > 0 && points + bound > opts.groupPoints) break;
      points += bound;
      n += 1;
    }
    return queue.splice(0, n);
  };

  const commit = async (group: Job[]) => {
    // One job per id in a group; a second copy of an id shares the first one's fate.
    const first = new Map<string, Job>();
    const copies: Array<[Job, Job]> = [];
    for (const job of group) {
      const id = job.uplink.id.toLowerCase();
      const seen = first.get(id);
      if (seen) copies.push([job, seen]);
      else first.set(id, job);
    }
    const jobs = [...first.values()];
    const outcomes = new Map<Job, WriteOutcome | { refused: unknown }>();
    let inserted: number[] = [];
    try {
      await sql.transaction(async (tx) => {
        const u = jobs.map((j) => j.uplink);
        const ledger = await tx.query<{ id: string; seq: number }>(
          `insert into uplinks (id, site_id, gateway_id, kind, sent_at, received_at, records)
           select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[])
           on conflict (id) do nothing returning id::text as id, nextval('influx_uplink_seq')::float8 as seq`,
          [u.map((x) => x.id), u.map((x) => x.siteId), u.map((x) => x.gatewayId), u.map((x) => x.kind), u.map((x) => x.sentAt), jobs.map((j) => j.receivedAt), u.map(recordCount)],
        );
        const seqOf = new Map(ledger.rows.map((r) => [r.id.toLowerCase(), Number(r.seq)]));
        const rows: Parameters<InfluxOutbox['insert']>[1] = [];
        const refused: string[] = [];
        const marks = new Map<string, { hours: Set<number>; seq: number }>();
        let reserved = 0;
        for (const job of jobs) {
          const seq = seqOf.get(job.uplink.id.toLowerCase());
          if (seq === undefined) {
            outcomes.set(job, { stored: false });
            continue;
          }
          const bound = uplinkPointsBound(job.uplink);
          try {
            outbox.checkRoom(reserved + bound);
          } catch (err) {
            refused.push(job.uplink.id);
            outcomes.set(job, { refused: err });
            continue;
          }
          reserved += bound;
          const { lines, hours } = uplinkLines(job.uplink, seq);
          if (lines.length > 0) rows.push({ seq, uplink: job.uplink, lines, enqueuedAt: job.receivedAt });
          // The site's hours marked as of the group's newest uplink: the hour waits for the whole
          // group to leave the buffer, which it does in one batch.
          const mark = marks.get(job.uplink.siteId) ?? { hours: new Set<number>(), seq };
          hours.forEach((h) => mark.hours.add(h));
          mark.seq = Math.max(mark.seq, seq);
          marks.set(job.uplink.siteId, mark);
          outcomes.set(job, { stored: true, seq, points: lines.length, queued: false });
        }
        if (refused.length > 0) await tx.query('delete from uplinks where id = any($1::uuid[])', [refused]);
        if (rows.length > 0) {
          inserted = rows.map((r) => r.seq);
          await outbox.insert(tx, rows);
        }
        for (const [siteId, m] of marks) if (m.hours.size > 0) await opts.rollups.mark(tx, siteId, [...m.hours], m.seq);
      });
    } catch (err) {
      inserted.forEach((seq) => outbox.abandoned(seq));
      for (const job of group) job.reject(err);
      return;
    }
    const settle = (job: Job, o: WriteOutcome | { refused: unknown } | undefined) => {
      if (!o) return job.reject(new Error('uplink left without an outcome'));
      if ('refused' in o) {
        opts.onRefused?.();
        return job.reject(o.refused);
      }
      job.resolve(o);
    };
    for (const job of jobs) {
      const o = outcomes.get(job);
      if (o && 'seq' in o && o.points > 0) o.queued = outbox.added(o.seq);
      settle(job, o);
    }
    for (const [copy, of] of copies) {
      const o = outcomes.get(of);
      settle(copy, o && 'refused' in o ? o : { stored: false });
    }
  };

  const run = async () => {
    running = true;
    try {
      while (queue.length > 0) await commit(takeGroup());
    } finally {
      running = false;
    }
  };

  return (uplink, receivedAt) =>
    new Promise<WriteOutcome>((resolve, reject) => {
      queue.push({ uplink, receivedAt, resolve, reject });
      if (!running) void run();
    });
}

const recordCount = (u: Uplink) => (u.kind === 'minute' ? u.footfall.length + u.env.length : u.kind === 'events' ? u.events.length : u.devices.length);
