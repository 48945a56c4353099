import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The gateway's durable memory (SQLite, WAL). A device's reading is acknowledged only
 * after it is committed here, and it leaves only inside an uplink the cloud acknowledged:
 *   readings  accepted device messages; `folded` once they are inside an outbox uplink.
 *             Folded rows stay for the dedupe horizon so a resend after a crash is recognised.
 *   outbox    uplinks not yet acknowledged by the cloud, replayed in id order.
 * Folding (outbox insert + marking its readings) is one transaction, so a kill -9 at any
 * moment leaves every reading either unfolded (replayed into the aggregator at start) or
 * inside exactly one outbox uplink.
 */
export interface PendingReading {
  id: number;
  deviceId: string;
  channel: string;
  body: string;
  receivedAt: number;
}

export interface OutboxRow {
  id: number;
  kind: string;
  body: string;
}

export interface NewUplink {
  kind: string;
  body: string;
  records: number;
}

export interface JournalStats {
  outboxRows: number;
  outboxBytes: number;
  oldestCreatedAt: number | null;
  pendingReadings: number;
}

export interface Journal {
  /** Records an accepted reading; resolves to its id, or null when the same reading was recorded before (a resend). */
  append(deviceId: string, channel: string, seq: number, ts: number, body: string, receivedAt: number): Promise<number | null>;
  pendingReadings(): PendingReading[];
  /** Atomically stores uplinks and marks the readings they carry as folded. */
  fold(uplinks: NewUplink[], readingIds: number[], now: number): void;
  outboxAfter(afterId: number, limit: number): OutboxRow[];
  delivered(outboxId: number): void;
  /** Forgets folded readings older than the dedupe horizon. */
  prune(olderThan: number): number;
  stats(): JournalStats;
  close(): void;
}

export interface JournalOptions {
  /** File path, or ':memory:' for tests that do not restart. */
  path: string;
  /** 'full' survives power loss (fsync per group commit); 'normal' survives a process kill. */
  durability: 'full' | 'normal';
}

export function openJournal(opts: JournalOptions): Journal {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec(`
    -- autoincrement: ids must never be reused once rows are deleted, the forwarder's cursor relies on it
    create table if not exists readings (
      id integer primary key autoincrement,
      device_id text not null, channel text not null, seq integer not null, ts integer not null,
      body text not null, received_at integer not null, folded integer not null default 0
    );
    create unique index if not exists readings_identity on readings (device_id, channel, seq, ts);
    create index if not exists readings_unfolded on readings (folded, id);
    create index if not exists readings_folded_age on readings (folded, received_at);
    create table if not exists outbox (
      id integer primary key autoincrement, kind text not null, body text not null, records integer not null,
      bytes integer not null, created_at integer not null
    );
  `);
  const insertReading = db.prepare('insert or ignore into readings (device_id, channel, seq, ts, body, received_at) values (?, ?, ?, ?, ?, ?)');
  const insertUplink = db.prepare('insert into outbox (kind, body, records, bytes, created_at) values (?, ?, ?, ?, ?)');
  const markFolded = db.prepare('update readings set folded = 1 where id = ?');
  const selectOutbox = db.prepare('select id, kind, body from outbox where id > ? order by id limit ?');
  const deleteOutbox = db.prepare('delete from outbox where id = ?');
  const pruneFolded = db.prepare('delete from readings where folded = 1 and received_at < ?');
  const selectStats = db.prepare(`select (select count(*) from outbox) as rows, (select coalesce(sum(bytes), 0) from outbox) as bytes,
    (select min(created_at) from outbox) as oldest, (select count(*) from readings where folded = 0) as pending`);

  // Group commit: every append of one event-loop turn shares a transaction (and one fsync).
  type Waiting = { args: [string, string, number, number, string, number]; resolve: (id: number | null) => void; reject: (err: Error) => void };
  let batch: Waiting[] = [];
  const commit = db.transaction((items: Waiting[]) => items.map((w) => {
    const r = insertReading.run(...w.args);
    return r.changes === 1 ? Number(r.lastInsertRowid) : null;
  }));
  const flushBatch = () => {
    const items = batch;
    batch = [];
    try {
      const ids = commit(items);
      items.forEach((w, i) => w.resolve(ids[i] ?? null));
    } catch (err) {
      items.forEach((w) => w.reject(err as Error));
    }
  };
  const fold = db.transaction((uplinks: NewUplink[], readingIds: number[], now: number) => {
    for (const u of uplinks) insertUplink.run(u.kind, u.body, u.records, Buffer.byteLength(u.body), now);
    for (const id of readingIds) markFolded.run(id);
  });

  return {
    append(deviceId, channel, seq, ts, body, receivedAt) {
      return new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(flushBatch);
        batch.push({ args: [deviceId, channel, seq, ts, body, receivedAt], resolve, reject });
      });
    },
    pendingReadings() {
      return db.prepare('select id, device_id as deviceId, channel, body, received_at as receivedAt from readings where folded = 0 order by id').all() as PendingReading[];
    },
    fold(uplinks, readingIds, now) {
      fold(uplinks, readingIds, now);
    },
    outboxAfter(afterId, limit) {
      return selectOutbox.all(afterId, limit) as OutboxRow[];
    },
    delivered(outboxId) {
      deleteOutbox.run(outboxId);
    },
    prune(olderThan) {
      return pruneFolded.run(olderThan).changes;
    },
    stats() {
      const s = selectStats.get() as { rows: number; bytes: number; oldest: number | null; pending: number };
      return { outboxRows: s.rows, outboxBytes: s.bytes, oldestCreatedAt: s.oldest, pendingReadings: s.pending };
    },
    close() {
      if (batch.length > 0) flushBatch();
      db.close();
    },
  };
}
