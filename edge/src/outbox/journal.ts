import { dirname } from 'node:path';
import { ensurePrivateDir, makeSqlitePrivate } from '../core/private-files.ts';
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
  records: number;
}

export interface NewUplink {
  kind: string;
  body: string;
  records: number;
  /** minutes each record spans: 1 as aggregated, more once compacted */
  span?: number;
}

/** A minute uplink the outbox guard may merge into coarser records. */
export interface CompactableRow {
  id: number;
  body: string;
  bytes: number;
  records: number;
  createdAt: number;
}

export interface JournalStats {
  outboxRows: number;
  outboxBytes: number;
  outboxRecords: number;
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
  /**
   * Outbox ids up to this one may have reached the cloud (handed to the uplink at some
   * point, by this process or an earlier one); only rows above it may ever be rewritten.
   */
  sentUpTo(): number;
  /** Records, durably, that every row now in the outbox may be handed to the uplink. */
  markAllSendable(): number;
  /** Oldest minute uplinks above `afterId` whose records span less than `span` minutes, up to about `maxBytes`. */
  compactable(afterId: number, span: number, maxBytes: number): CompactableRow[];
  /** Atomically replaces `rows` by `uplinks` (which reuse the lowest ids, keeping the replay order), or marks them as spanning `span` when there is nothing to gain. */
  replace(rows: CompactableRow[], uplinks: NewUplink[], span: number): void;
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
  const onDisk = opts.path !== ':memory:';
  if (onDisk) ensurePrivateDir(dirname(opts.path));
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  // After WAL is on, so the -wal and -shm files exist too; SQLite recreates them with the database's mode.
  if (onDisk) makeSqlitePrivate(opts.path);
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
    create table if not exists meta (key text primary key, value integer not null);
  `);
  // Journals written before outbox compaction existed lack the column; every row then spans one minute.
  if (!(db.pragma('table_info(outbox)') as { name: string }[]).some((c) => c.name === 'span')) {
    db.exec('alter table outbox add column span integer not null default 1');
  }
  const insertReading = db.prepare('insert or ignore into readings (device_id, channel, seq, ts, body, received_at) values (?, ?, ?, ?, ?, ?)');
  const insertUplink = db.prepare('insert into outbox (id, kind, body, records, bytes, created_at, span) values (?, ?, ?, ?, ?, ?, ?)');
  const markFolded = db.prepare('update readings set folded = 1 where id = ?');
  const selectOutbox = db.prepare('select id, kind, body, records from outbox where id > ? order by id limit ?');
  const deleteOutbox = db.prepare('delete from outbox where id = ? returning bytes, records');
  const pruneFolded = db.prepare('delete from readings where folded = 1 and received_at < ?');
  const selectPending = db.prepare('select count(*) as n from readings where folded = 0');
  const selectOldest = db.prepare('select created_at as t from outbox order by id limit 1');
  const selectCompactable = db.prepare(`select id, body, bytes, records, created_at as createdAt from outbox
    where id > ? and kind = 'minute' and span < ? order by id`);
  const setSpan = db.prepare('update outbox set span = ? where id = ?');
  const getMeta = db.prepare('select value from meta where key = ?').pluck();
  const setMeta = db.prepare('insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value');
  const maxOutboxId = db.prepare('select coalesce(max(id), 0) from outbox').pluck();

  // Running totals: the gateway reads them on every flush tick, and summing a large outbox each time would not scale.
  const totals = db.prepare('select count(*) as rows, coalesce(sum(bytes), 0) as bytes, coalesce(sum(records), 0) as records from outbox').get() as { rows: number; bytes: number; records: number };
  let sentUpTo = (getMeta.get('sent_up_to') as number | undefined) ?? 0;
  const added = (u: NewUplink, id: number | null, createdAt: number) => {
    const bytes = Buffer.byteLength(u.body);
    insertUplink.run(id, u.kind, u.body, u.records, bytes, createdAt, u.span ?? 1);
    totals.rows += 1;
    totals.bytes += bytes;
    totals.records += u.records;
  };
  const removed = (id: number) => {
    const r = deleteOutbox.get(id) as { bytes: number; records: number } | undefined;
    if (!r) return;
    totals.rows -= 1;
    totals.bytes -= r.bytes;
    totals.records -= r.records;
  };

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
    for (const u of uplinks) added(u, null, now);
    for (const id of readingIds) markFolded.run(id);
  });
  const replace = db.transaction((rows: CompactableRow[], uplinks: NewUplink[], span: number) => {
    if (uplinks.length === 0 || uplinks.length > rows.length) {
      for (const r of rows) setSpan.run(span, r.id);
      return;
    }
    const createdAt = Math.min(...rows.map((r) => r.createdAt));
    for (const r of rows) removed(r.id);
    uplinks.forEach((u, i) => added({ ...u, span }, rows[i]!.id, createdAt));
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
      removed(outboxId);
    },
    sentUpTo() {
      return sentUpTo;
    },
    markAllSendable() {
      const upTo = maxOutboxId.get() as number;
      if (upTo > sentUpTo) {
        setMeta.run('sent_up_to', upTo);
        sentUpTo = upTo;
      }
      return sentUpTo;
    },
    compactable(afterId, span, maxBytes) {
      const out: CompactableRow[] = [];
      let bytes = 0;
      for (const row of selectCompactable.iterate(afterId, span) as IterableIterator<CompactableRow>) {
        out.push(row);
        bytes += row.bytes;
        if (bytes >= maxBytes) break;
      }
      return out;
    },
    replace(rows, uplinks, span) {
      replace(rows, uplinks, span);
    },
    prune(olderThan) {
      return pruneFolded.run(olderThan).changes;
    },
    stats() {
      const oldest = selectOldest.get() as { t: number } | undefined;
      const pending = (selectPending.get() as { n: number }).n;
      return { outboxRows: totals.rows, outboxBytes: totals.bytes, outboxRecords: totals.records, oldestCreatedAt: oldest?.t ?? null, pendingReadings: pending };
    },
    close() {
      if (batch.length > 0) flushBatch();
      db.close();
    },
  };
}
