import { Alarm, AlarmHistoryEntry, EngineSnapshot, JournalEntry, Notification, OrderHistoryEntry, RulesVersion, RulesVersionSummary, StaffMember, UserRecord, upgradeSnapshot, WorkOrder, type Effect } from '@atrium/shared';
import { migrate } from '../db/migrate.ts';
import { parseRow } from '../db/parse-row.ts';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import type { OpsStore } from './ops-store.ts';


/**
 * The operational store of one site over any SqlClient (PGlite embedded, or a server through
 * db/pg.ts): both speak the same dialect, so there is one adapter. A step's effects become a
 * handful of set-based statements in one transaction (rows travel as one jsonb array each),
 * whatever the number of effects. `ownsClient`: whether close() closes the engine too (false
 * when the series store shares it).
 */
export async function createSqlOpsStore(sql: SqlClient, opts: { siteId: string; ownsClient?: boolean }): Promise<OpsStore> {
  const { siteId } = opts;
  await migrate(sql);
  await adoptRowsWithoutSite(sql, siteId);
  let closed = false;
  const ownRows = <T extends { siteId: string; id: string }>(table: string, rows: T[]): T[] => {
    for (const r of rows) if (r.siteId !== siteId) throw new Error(`${table} row "${r.id}" belongs to site "${r.siteId}": this store serves "${siteId}"`);
    return rows;
  };

  return {
    siteId,
    async record({ effects, journal = [], snapshot, at }) {
      const alarms = ownRows('alarms', lastById(effects, (e) => (e.kind === 'alarm' ? e.alarm : undefined)));
      const orders = ownRows('work_orders', lastById(effects, (e) => (e.kind === 'work_order' ? e.order : undefined)));
      const staff = ownRows('staff', lastById(effects, (e) => (e.kind === 'staff' ? e.staff : undefined)));
      const notes = effects.filter((e) => e.kind === 'notify');
      const breaches = effects.filter((e) => e.kind === 'sla_breach');
      if (snapshot && snapshot.siteId !== siteId) throw new Error(`the engine snapshot belongs to site "${snapshot.siteId}": this store serves "${siteId}"`);
      if (alarms.length + orders.length + staff.length + notes.length + breaches.length + journal.length === 0 && !snapshot) return;
      await sql.transaction(async (tx) => {
        if (alarms.length > 0) await writeAlarms(tx, siteId, alarms);
        if (orders.length > 0) await writeOrders(tx, siteId, orders);
        if (staff.length > 0) {
          await tx.query(
            `insert into staff (site_id, id, data, updated_at) select $3, s->>'id', s, $2 from jsonb_array_elements($1::jsonb) as s
             on conflict (site_id, id) do update set data = excluded.data, updated_at = excluded.updated_at`,
            [JSON.stringify(staff), at, siteId],
          );
        }
        if (notes.length > 0) {
          await tx.query(
            `insert into notifications (site_id, at, audience, recipients, order_id, reason, message)
             select $3, $2, n->>'audience', array(select jsonb_array_elements_text(n->'to')), n->>'orderId', n->>'reason', n->>'message'
               from jsonb_array_elements($1::jsonb) with ordinality as x(n, i) order by i`,
            [JSON.stringify(notes), at, siteId],
          );
        }
        if (breaches.length > 0) {
          await tx.query(
            `insert into sla_breaches (site_id, order_id, type, priority, stage, due_at, at, assignee)
             select $2, b->>'orderId', b->>'type', (b->>'priority')::int, b->>'stage', (b->>'dueAt')::bigint, (b->>'at')::bigint, b->>'assignee'
               from jsonb_array_elements($1::jsonb) with ordinality as x(b, i) order by i`,
            [JSON.stringify(breaches), siteId],
          );
        }
        // Journal numbers only grow, even past a prune: the snapshot remembers the last it covers.
        const last = journal.length > 0 || snapshot ? await lastJournalSeq(tx, siteId) : 0;
        if (journal.length > 0) {
          await tx.query(
            `insert into engine_journal (site_id, seq, entry)
             select $1, $2::bigint + x.i, x.e from jsonb_array_elements($3::jsonb) with ordinality as x(e, i)`,
            [siteId, last, JSON.stringify(journal)],
          );
        }
        if (snapshot) {
          const covers = last + journal.length;
          await tx.query(
            `insert into engine_snapshot (site_id, snapshot, saved_at, journal_seq) values ($3, $1::jsonb, $2, $4)
             on conflict (site_id) do update set snapshot = excluded.snapshot, saved_at = excluded.saved_at, journal_seq = excluded.journal_seq`,
            [JSON.stringify(snapshot), at, siteId, covers],
          );
          await tx.query('delete from engine_journal where site_id = $1 and seq <= $2', [siteId, covers]);
        }
      });
    },

    async loadSnapshot() {
      const { rows } = await sql.query<{ snapshot: unknown; saved_at: number; journal_seq: number }>('select snapshot, saved_at, journal_seq from engine_snapshot where site_id = $1', [siteId]);
      const r = rows[0];
      if (!r) return null;
      const entries = await sql.query<{ seq: number; entry: unknown }>('select seq, entry from engine_journal where site_id = $1 and seq > $2 order by seq', [siteId, r.journal_seq]);
      return {
        snapshot: parseRow(EngineSnapshot, 'engine_snapshot', siteId, upgradeSnapshot(r.snapshot, siteId)),
        savedAt: Number(r.saved_at),
        journal: entries.rows.map((e) => parseRow(JournalEntry, 'engine_journal', `${siteId}#${e.seq}`, e.entry)),
      };
    },

    async listAlarms(q) {
      const { rows } = await sql.query<DataRow>(
        `select id, data from alarms
          where site_id = $7 and ($1::text[] is null or status = any($1::text[])) and ($2::text is null or zone_id = $2) and ($3::text is null or type = $3)
            and ($4::bigint is null or raised_at >= $4) and ($5::bigint is null or raised_at < $5)
            and ($8::text is null or data->'history' @> jsonb_build_array(jsonb_build_object('by', $8::text)))
            and ($9::text is null or position($9::text in replace(lower(concat_ws(' ', id, type, rule_id, zone_id,
                  (select string_agg(concat_ws(' ', h->>'by', h->>'note'), ' ') from jsonb_array_elements(data->'history') h),
                  ${staffNamesOf('alarms', ['by'])})), '_', ' ')) > 0)
          order by raised_at desc, n desc limit $6 offset $10`,
        [q.status ? [...q.status] : null, q.zoneId ?? null, q.type ?? null, q.from ?? null, q.to ?? null, q.limit, siteId, q.staff ?? null, searchOf(q.q), q.offset ?? 0],
      );
      return rows.map((r) => parseRow(Alarm, 'alarms', r.id, r.data));
    },

    async getAlarm(id) {
      const { rows } = await sql.query<DataRow>('select id, data from alarms where site_id = $2 and id = $1', [id, siteId]);
      return rows[0] ? parseRow(Alarm, 'alarms', id, rows[0].data) : null;
    },

    async listOrders(q) {
      const { rows } = await sql.query<DataRow>(
        `select id, data from work_orders
          where site_id = $8 and ($1::text[] is null or status = any($1::text[])) and ($2::text is null or assignee = $2) and ($3::text is null or type = $3)
            and ($4::text is null or zone_id = $4) and ($5::bigint is null or created_at >= $5) and ($6::bigint is null or created_at < $6)
            and ($9::text is null or assignee = $9 or data->'history' @> jsonb_build_array(jsonb_build_object('staffId', $9::text))
                 or data->'history' @> jsonb_build_array(jsonb_build_object('by', $9::text)))
            and ($10::text is null or position($10::text in replace(lower(concat_ws(' ', id, type, zone_id, assignee,
                  (select string_agg(concat_ws(' ', h->>'by', h->>'staffId', h->>'reason'), ' ') from jsonb_array_elements(data->'history') h),
                  ${staffNamesOf('work_orders', ['by', 'staffId'])})), '_', ' ')) > 0)
            and ($12::text is null or data->'alarmIds' ? $12::text)
          order by created_at desc, n desc limit $7 offset $11`,
        [q.status ? [...q.status] : null, q.assignee ?? null, q.type ?? null, q.zoneId ?? null, q.from ?? null, q.to ?? null, q.limit, siteId, q.staff ?? null, searchOf(q.q), q.offset ?? 0, q.alarmId ?? null],
      );
      return rows.map((r) => parseRow(WorkOrder, 'work_orders', r.id, r.data));
    },

    async getOrder(id) {
      const { rows } = await sql.query<DataRow>('select id, data from work_orders where site_id = $2 and id = $1', [id, siteId]);
      return rows[0] ? parseRow(WorkOrder, 'work_orders', id, rows[0].data) : null;
    },

    async ordersForReport({ from, to }) {
      const { rows } = await sql.query<DataRow>(
        `select id, data from work_orders
          where site_id = $3 and ((closed_at >= $1 and closed_at < $2) or (resolved_at >= $1 and resolved_at < $2))
          order by created_at, n`,
        [from, to, siteId],
      );
      return rows.map((r) => parseRow(WorkOrder, 'work_orders', r.id, r.data));
    },

    async listStaff() {
      const { rows } = await sql.query<DataRow>('select id, data from staff where site_id = $1 order by id', [siteId]);
      return rows.map((r) => parseRow(StaffMember, 'staff', r.id, r.data));
    },

    async orderAudit(orderId) {
      const { rows } = await sql.query<{ seq: number; at: number; by: string; action: string; from: string | null; to: string; staff_id: string | null; reason: string | null }>(
        `select seq, at, actor as by, action, from_status as from, to_status as to, staff_id, reason from work_order_history where site_id = $2 and order_id = $1 order by seq`,
        [orderId, siteId],
      );
      return rows.map((r) => parseRow(OrderHistoryEntry, 'work_order_history', `${orderId}#${r.seq}`, { at: Number(r.at), by: r.by, action: r.action, from: r.from, to: r.to, staffId: r.staff_id, reason: r.reason }));
    },

    async alarmAudit(alarmId) {
      const { rows } = await sql.query<{ seq: number; at: number; action: string; by: string; note: string | null }>(
        'select seq, at, action, actor as by, note from alarm_history where site_id = $2 and alarm_id = $1 order by seq',
        [alarmId, siteId],
      );
      return rows.map((r) => parseRow(AlarmHistoryEntry, 'alarm_history', `${alarmId}#${r.seq}`, { at: Number(r.at), action: r.action, by: r.by, note: r.note }));
    },

    async notifications(q) {
      const { rows } = await sql.query<{ id: number; at: number; audience: string; recipients: string[]; order_id: string; reason: string; message: string }>(
        `select id, at, audience, recipients, order_id, reason, message from notifications
          where site_id = $4 and ($1::text is null or recipients @> array[$1::text]) and ($2::bigint is null or at >= $2)
          order by id desc limit $3`,
        [q.to ?? null, q.since ?? null, q.limit, siteId],
      );
      return rows.map((r) =>
        parseRow(Notification, 'notifications', r.id, { kind: 'notify', siteId, id: Number(r.id), at: Number(r.at), audience: r.audience, to: r.recipients, orderId: r.order_id, reason: r.reason, message: r.message }),
      );
    },

    async saveRules(p) {
      // Versions count per site; the engine is the site's only writer, so max + 1 does not race.
      const { rows } = await sql.query<RulesRow>(
        `insert into rules_versions (site_id, version, text, saved_at, saved_by)
         select $1, coalesce(max(version), 0) + 1, $2, $3, $4 from rules_versions where site_id = $1
         returning version, text, saved_at, saved_by`,
        [siteId, p.text, p.savedAt, p.savedBy],
      );
      return rulesVersion(siteId, rows[0]!);
    },

    async currentRules(q) {
      const { rows } = await sql.query<RulesRow>(
        'select version, text, saved_at, saved_by from rules_versions where site_id = $1 and ($2::text is null or saved_by = $2) order by version desc limit 1',
        [siteId, q?.savedBy ?? null],
      );
      return rows[0] ? rulesVersion(siteId, rows[0]) : null;
    },

    async rulesHistory(limit) {
      const { rows } = await sql.query<Omit<RulesRow, 'text'>>('select version, saved_at, saved_by from rules_versions where site_id = $2 order by version desc limit $1', [limit, siteId]);
      return rows.map((r) => parseRow(RulesVersionSummary, 'rules_versions', r.version, { siteId, version: Number(r.version), savedAt: Number(r.saved_at), savedBy: r.saved_by }));
    },

    async addUser(u) {
      if (u.siteId !== siteId) throw new Error(`user "${u.userId}" belongs to site "${u.siteId}": this store serves "${siteId}"`);
      await sql.query('insert into users (site_id, id, role, staff_id, merchant_id, key_hash, disabled, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
        siteId, u.userId, u.role, u.staffId, u.merchantId, u.keyHash, u.disabled, u.createdAt,
      ]);
    },

    async userByKeyHash(keyHash) {
      const { rows } = await sql.query<UserRow>(`select ${USER_COLUMNS} from users where key_hash = $1`, [keyHash]);
      return rows[0] ? userRecord(rows[0]) : null;
    },

    async listUsers() {
      const { rows } = await sql.query<UserRow>(`select ${USER_COLUMNS} from users where site_id = $1 order by id`, [siteId]);
      return rows.map(userRecord);
    },

    async setUserDisabled(id, disabled) {
      const { rows } = await sql.query('update users set disabled = $2 where id = $1 and site_id = $3 returning id', [id, disabled, siteId]);
      return rows.length > 0;
    },

    async setUserKeyHash(id, keyHash) {
      const { rows } = await sql.query('update users set key_hash = $2 where id = $1 and site_id = $3 returning id', [id, keyHash, siteId]);
      return rows.length > 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (opts.ownsClient) await sql.close();
    },
  };
}

/**
 * Rows stored before records named their site (migration 5 gave them '') belong to the site
 * that opens the store first: until then a database held exactly one site. Their jsonb gets
 * the site too, so they parse like any other row. Runs at every open; after the first it
 * finds nothing (an index range scan on the primary keys' leading column).
 */
async function adoptRowsWithoutSite(sql: SqlClient, siteId: string): Promise<void> {
  await sql.transaction(async (tx) => {
    // Parents first: their key change cascades to the histories.
    for (const table of ['alarms', 'work_orders', 'staff']) {
      await tx.query(`update ${table} set site_id = $1, data = data || jsonb_build_object('siteId', $1::text) where site_id = ''`, [siteId]);
    }
    await tx.query(`update engine_snapshot set site_id = $1 where site_id = ''`, [siteId]);
    for (const table of ['alarm_history', 'work_order_history', 'notifications', 'sla_breaches', 'rules_versions', 'users']) {
      await tx.query(`update ${table} set site_id = $1 where site_id = ''`, [siteId]);
    }
  });
}

async function lastJournalSeq(tx: SqlTx, siteId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select greatest(coalesce((select max(seq) from engine_journal where site_id = $1), 0), coalesce((select journal_seq from engine_snapshot where site_id = $1), 0)) as n`,
    [siteId],
  );
  return Number(rows[0]?.n ?? 0);
}

interface DataRow {
  id: string;
  data: unknown;
}

/** One row per id: the last effect carries the whole row, its history a superset of the earlier ones. */
function lastById<T extends { id: string }>(effects: readonly Effect[], pick: (e: Effect) => T | undefined): T[] {
  const byId = new Map<string, T>();
  for (const e of effects) {
    const row = pick(e);
    if (row) byId.set(row.id, row);
  }
  return [...byId.values()];
}

// Histories only grow, so a row with a shorter history is older than the one stored: it must
// not overwrite it (two writers, or a batch recorded again after a later one).
/** A search as the list queries compare it: lower case, `restroom cleaning` finding `restroom_cleaning`. */
const searchOf = (q: string | undefined): string | null => (q === undefined ? null : q.toLowerCase().replace(/_/g, ' '));

/**
 * SQL for the names of the site's staff named in the `fields` of the outer `table` row's
 * history, so a search for a person's name finds what they did (qualified: staff has a `data` too).
 */
const staffNamesOf = (table: 'alarms' | 'work_orders', fields: readonly ('by' | 'staffId')[]) =>
  `(select string_agg(s.data->>'name', ' ') from staff s where s.site_id = ${table}.site_id
     and s.id in (${fields.map((f) => `select h->>'${f}' from jsonb_array_elements(${table}.data->'history') h`).join(' union ')}))`;

async function writeAlarms(tx: SqlTx, siteId: string, alarms: readonly Alarm[]) {
  const json = JSON.stringify(alarms);
  await tx.query(
    `insert into alarms (site_id, id, rule_id, type, severity, status, zone_id, raised_at, cleared_at, data)
     select $2, a->>'id', a->>'ruleId', a->>'type', a->>'severity', a->>'status', a->>'zoneId', (a->>'raisedAt')::bigint, (a->>'clearedAt')::bigint, a
       from jsonb_array_elements($1::jsonb) as a
     on conflict (site_id, id) do update set rule_id = excluded.rule_id, type = excluded.type, severity = excluded.severity, status = excluded.status,
       zone_id = excluded.zone_id, raised_at = excluded.raised_at, cleared_at = excluded.cleared_at, data = excluded.data
       where jsonb_array_length(excluded.data->'history') >= jsonb_array_length(alarms.data->'history')`,
    [json, siteId],
  );
  await tx.query(
    `insert into alarm_history (site_id, alarm_id, seq, at, action, actor, note)
     select $2, a->>'id', h.seq, (h.e->>'at')::bigint, h.e->>'action', h.e->>'by', h.e->>'note'
       from jsonb_array_elements($1::jsonb) as a
       cross join lateral jsonb_array_elements(a->'history') with ordinality as h(e, seq)
      where h.seq > coalesce((select max(x.seq) from alarm_history x where x.site_id = $2 and x.alarm_id = a->>'id'), 0)
     on conflict (site_id, alarm_id, seq) do nothing`,
    [json, siteId],
  );
}

async function writeOrders(tx: SqlTx, siteId: string, orders: readonly WorkOrder[]) {
  const json = JSON.stringify(orders);
  await tx.query(
    `insert into work_orders (site_id, id, type, status, priority, role, zone_id, floor_id, assignee, created_at, closed_at, resolved_at, data)
     select $2, o->>'id', o->>'type', o->>'status', (o->>'priority')::int, o->>'role', o->>'zoneId', o->>'floorId', o->>'assignee',
            (o->>'createdAt')::bigint, (o->>'closedAt')::bigint, (o->>'resolvedAt')::bigint, o
       from jsonb_array_elements($1::jsonb) as o
     on conflict (site_id, id) do update set type = excluded.type, status = excluded.status, priority = excluded.priority, role = excluded.role,
       zone_id = excluded.zone_id, floor_id = excluded.floor_id, assignee = excluded.assignee, created_at = excluded.created_at,
       closed_at = excluded.closed_at, resolved_at = excluded.resolved_at, data = excluded.data
       where jsonb_array_length(excluded.data->'history') >= jsonb_array_length(work_orders.data->'history')`,
    [json, siteId],
  );
  await tx.query(
    `insert into work_order_history (site_id, order_id, seq, at, actor, action, from_status, to_status, staff_id, reason)
     select $2, o->>'id', h.seq, (h.e->>'at')::bigint, h.e->>'by', h.e->>'action', h.e->>'from', h.e->>'to', h.e->>'staffId', h.e->>'reason'
       from jsonb_array_elements($1::jsonb) as o
       cross join lateral jsonb_array_elements(o->'history') with ordinality as h(e, seq)
      where h.seq > coalesce((select max(x.seq) from work_order_history x where x.site_id = $2 and x.order_id = o->>'id'), 0)
     on conflict (site_id, order_id, seq) do nothing`,
    [json, siteId],
  );
}

interface RulesRow {
  version: number;
  text: string;
  saved_at: number;
  saved_by: string;
}
const rulesVersion = (siteId: string, r: RulesRow): RulesVersion =>
  parseRow(RulesVersion, 'rules_versions', r.version, { siteId, version: Number(r.version), text: r.text, savedAt: Number(r.saved_at), savedBy: r.saved_by });

const USER_COLUMNS = 'site_id, id, role, staff_id, merchant_id, key_hash, disabled, created_at';
interface UserRow {
  site_id: string;
  id: string;
  role: string;
  staff_id: string | null;
  merchant_id: string | null;
  key_hash: string;
  disabled: boolean;
  created_at: number;
}
const userRecord = (r: UserRow): UserRecord =>
  parseRow(UserRecord, 'users', r.id, {
    siteId: r.site_id, userId: r.id, role: r.role, staffId: r.staff_id, merchantId: r.merchant_id, keyHash: r.key_hash, disabled: r.disabled, createdAt: Number(r.created_at),
  });
