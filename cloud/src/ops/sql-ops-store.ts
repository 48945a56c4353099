import type { Alarm, AlarmHistoryEntry } from '../dispatch/alarms.ts';
import type { Effect, NotifyReason } from '../dispatch/effects.ts';
import type { EngineSnapshot } from '../dispatch/engine.ts';
import type { StaffMember } from '../dispatch/roster.ts';
import type { OrderHistoryEntry, WorkOrder } from '../dispatch/work-orders.ts';
import type { Role } from '../auth/principal.ts';
import { migrate } from '../db/migrate.ts';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import type { OpsStore, RulesVersion, StoredNotification, StoredUser } from './ops-store.ts';

/** PostgreSQL's unique_violation, as both engines report it: what `addUser` fails with on a taken id or key. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';

/**
 * The operational store over any SqlClient (PGlite embedded, or a server through db/pg.ts):
 * both speak the same dialect, so there is one adapter. A step's effects become a handful of
 * set-based statements in one transaction (rows travel as one jsonb array each), whatever
 * the number of effects. `ownsClient`: whether close() closes the engine too (false when the
 * series store shares it).
 */
export async function createSqlOpsStore(sql: SqlClient, opts: { ownsClient?: boolean } = {}): Promise<OpsStore> {
  await migrate(sql);
  let closed = false;

  return {
    async record({ effects, snapshot, at }) {
      const alarms = lastById(effects, (e) => (e.kind === 'alarm' ? e.alarm : undefined));
      const orders = lastById(effects, (e) => (e.kind === 'work_order' ? e.order : undefined));
      const staff = lastById(effects, (e) => (e.kind === 'staff' ? e.staff : undefined));
      const notes = effects.filter((e) => e.kind === 'notify');
      const breaches = effects.filter((e) => e.kind === 'sla_breach');
      if (alarms.length + orders.length + staff.length + notes.length + breaches.length === 0 && !snapshot) return;
      await sql.transaction(async (tx) => {
        if (alarms.length > 0) await writeAlarms(tx, alarms);
        if (orders.length > 0) await writeOrders(tx, orders);
        if (staff.length > 0) {
          await tx.query(
            `insert into staff (id, data, updated_at) select s->>'id', s, $2 from jsonb_array_elements($1::jsonb) as s
             on conflict (id) do update set data = excluded.data, updated_at = excluded.updated_at`,
            [JSON.stringify(staff), at],
          );
        }
        if (notes.length > 0) {
          await tx.query(
            `insert into notifications (at, audience, recipients, order_id, reason, message)
             select $2, n->>'audience', array(select jsonb_array_elements_text(n->'to')), n->>'orderId', n->>'reason', n->>'message'
               from jsonb_array_elements($1::jsonb) with ordinality as x(n, i) order by i`,
            [JSON.stringify(notes), at],
          );
        }
        if (breaches.length > 0) {
          await tx.query(
            `insert into sla_breaches (order_id, type, priority, stage, due_at, at, assignee)
             select b->>'orderId', b->>'type', (b->>'priority')::int, b->>'stage', (b->>'dueAt')::bigint, (b->>'at')::bigint, b->>'assignee'
               from jsonb_array_elements($1::jsonb) with ordinality as x(b, i) order by i`,
            [JSON.stringify(breaches)],
          );
        }
        if (snapshot) {
          await tx.query(
            `insert into engine_snapshot (id, snapshot, saved_at) values (1, $1::jsonb, $2)
             on conflict (id) do update set snapshot = excluded.snapshot, saved_at = excluded.saved_at`,
            [JSON.stringify(snapshot), at],
          );
        }
      });
    },

    async loadSnapshot() {
      const { rows } = await sql.query<{ snapshot: EngineSnapshot; saved_at: number }>('select snapshot, saved_at from engine_snapshot where id = 1');
      const r = rows[0];
      return r ? { snapshot: r.snapshot, savedAt: r.saved_at } : null;
    },

    async listAlarms(q) {
      const { rows } = await sql.query<{ data: Alarm }>(
        `select data from alarms
          where ($1::text[] is null or status = any($1::text[])) and ($2::text is null or zone_id = $2) and ($3::text is null or type = $3)
            and ($4::bigint is null or raised_at >= $4) and ($5::bigint is null or raised_at < $5)
          order by raised_at desc, n desc limit $6`,
        [q.status ? [...q.status] : null, q.zoneId ?? null, q.type ?? null, q.from ?? null, q.to ?? null, q.limit],
      );
      return rows.map((r) => r.data);
    },

    async getAlarm(id) {
      const { rows } = await sql.query<{ data: Alarm }>('select data from alarms where id = $1', [id]);
      return rows[0]?.data ?? null;
    },

    async listOrders(q) {
      const { rows } = await sql.query<{ data: WorkOrder }>(
        `select data from work_orders
          where ($1::text[] is null or status = any($1::text[])) and ($2::text is null or assignee = $2) and ($3::text is null or type = $3)
            and ($4::text is null or zone_id = $4) and ($5::bigint is null or created_at >= $5) and ($6::bigint is null or created_at < $6)
          order by created_at desc, n desc limit $7`,
        [q.status ? [...q.status] : null, q.assignee ?? null, q.type ?? null, q.zoneId ?? null, q.from ?? null, q.to ?? null, q.limit],
      );
      return rows.map((r) => r.data);
    },

    async getOrder(id) {
      const { rows } = await sql.query<{ data: WorkOrder }>('select data from work_orders where id = $1', [id]);
      return rows[0]?.data ?? null;
    },

    async ordersForReport({ from, to }) {
      const { rows } = await sql.query<{ data: WorkOrder }>(
        `select data from work_orders
          where (closed_at >= $1 and closed_at < $2) or (resolved_at >= $1 and resolved_at < $2)
          order by created_at, n`,
        [from, to],
      );
      return rows.map((r) => r.data);
    },

    async listStaff() {
      const { rows } = await sql.query<{ data: StaffMember }>('select data from staff order by id');
      return rows.map((r) => r.data);
    },

    async orderAudit(orderId) {
      const { rows } = await sql.query<{ at: number; by: string; action: OrderHistoryEntry['action']; from: OrderHistoryEntry['from']; to: OrderHistoryEntry['to']; staff_id: string | null; reason: string | null }>(
        `select at, actor as by, action, from_status as from, to_status as to, staff_id, reason from work_order_history where order_id = $1 order by seq`,
        [orderId],
      );
      return rows.map((r): OrderHistoryEntry => ({ at: r.at, by: r.by, action: r.action, from: r.from, to: r.to, staffId: r.staff_id, reason: r.reason }));
    },

    async alarmAudit(alarmId) {
      const { rows } = await sql.query<AlarmHistoryEntry>('select at, action, actor as by, note from alarm_history where alarm_id = $1 order by seq', [alarmId]);
      return rows.map((r): AlarmHistoryEntry => ({ at: r.at, action: r.action, by: r.by, note: r.note }));
    },

    async notifications(q) {
      const { rows } = await sql.query<{ id: number; at: number; audience: 'assignee' | 'supervisor'; recipients: string[]; order_id: string; reason: NotifyReason; message: string }>(
        `select id, at, audience, recipients, order_id, reason, message from notifications
          where ($1::text is null or recipients @> array[$1::text]) and ($2::bigint is null or at >= $2)
          order by id desc limit $3`,
        [q.to ?? null, q.since ?? null, q.limit],
      );
      return rows.map((r): StoredNotification => ({ kind: 'notify', id: r.id, at: r.at, audience: r.audience, to: r.recipients, orderId: r.order_id, reason: r.reason, message: r.message }));
    },

    async saveRules(p) {
      const { rows } = await sql.query<RulesRow>('insert into rules_versions (text, saved_at, saved_by) values ($1, $2, $3) returning version, text, saved_at, saved_by', [p.text, p.savedAt, p.savedBy]);
      return rulesVersion(rows[0]!);
    },

    async currentRules() {
      const { rows } = await sql.query<RulesRow>('select version, text, saved_at, saved_by from rules_versions order by version desc limit 1');
      return rows[0] ? rulesVersion(rows[0]) : null;
    },

    async rulesHistory(limit) {
      const { rows } = await sql.query<Omit<RulesRow, 'text'>>('select version, saved_at, saved_by from rules_versions order by version desc limit $1', [limit]);
      return rows.map((r) => ({ version: r.version, savedAt: r.saved_at, savedBy: r.saved_by }));
    },

    async addUser(u) {
      await sql.query('insert into users (id, role, staff_id, merchant_id, key_hash, disabled, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
        u.userId, u.role, u.staffId, u.merchantId, u.keyHash, u.disabled, u.createdAt,
      ]);
    },

    async userByKeyHash(keyHash) {
      const { rows } = await sql.query<UserRow>(`select ${USER_COLUMNS} from users where key_hash = $1`, [keyHash]);
      return rows[0] ? storedUser(rows[0]) : null;
    },

    async listUsers() {
      const { rows } = await sql.query<UserRow>(`select ${USER_COLUMNS} from users order by id`);
      return rows.map(storedUser);
    },

    async setUserDisabled(id, disabled) {
      const { rows } = await sql.query('update users set disabled = $2 where id = $1 returning id', [id, disabled]);
      return rows.length > 0;
    },

    async setUserKeyHash(id, keyHash) {
      const { rows } = await sql.query('update users set key_hash = $2 where id = $1 returning id', [id, keyHash]);
      return rows.length > 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (opts.ownsClient) await sql.close();
    },
  };
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
async function writeAlarms(tx: SqlTx, alarms: readonly Alarm[]) {
  const json = JSON.stringify(alarms);
  await tx.query(
    `insert into alarms (id, rule_id, type, severity, status, zone_id, raised_at, cleared_at, data)
     select a->>'id', a->>'ruleId', a->>'type', a->>'severity', a->>'status', a->>'zoneId', (a->>'raisedAt')::bigint, (a->>'clearedAt')::bigint, a
       from jsonb_array_elements($1::jsonb) as a
     on conflict (id) do update set rule_id = excluded.rule_id, type = excluded.type, severity = excluded.severity, status = excluded.status,
       zone_id = excluded.zone_id, raised_at = excluded.raised_at, cleared_at = excluded.cleared_at, data = excluded.data
       where jsonb_array_length(excluded.data->'history') >= jsonb_array_length(alarms.data->'history')`,
    [json],
  );
  await tx.query(
    `insert into alarm_history (alarm_id, seq, at, action, actor, note)
     select a->>'id', h.seq, (h.e->>'at')::bigint, h.e->>'action', h.e->>'by', h.e->>'note'
       from jsonb_array_elements($1::jsonb) as a
       cross join lateral jsonb_array_elements(a->'history') with ordinality as h(e, seq)
      where h.seq > coalesce((select max(x.seq) from alarm_history x where x.alarm_id = a->>'id'), 0)
     on conflict (alarm_id, seq) do nothing`,
    [json],
  );
}

async function writeOrders(tx: SqlTx, orders: readonly WorkOrder[]) {
  const json = JSON.stringify(orders);
  await tx.query(
    `insert into work_orders (id, type, status, priority, role, zone_id, floor_id, assignee, created_at, closed_at, resolved_at, data)
     select o->>'id', o->>'type', o->>'status', (o->>'priority')::int, o->>'role', o->>'zoneId', o->>'floorId', o->>'assignee',
            (o->>'createdAt')::bigint, (o->>'closedAt')::bigint, (o->>'resolvedAt')::bigint, o
       from jsonb_array_elements($1::jsonb) as o
     on conflict (id) do update set type = excluded.type, status = excluded.status, priority = excluded.priority, role = excluded.role,
       zone_id = excluded.zone_id, floor_id = excluded.floor_id, assignee = excluded.assignee, created_at = excluded.created_at,
       closed_at = excluded.closed_at, resolved_at = excluded.resolved_at, data = excluded.data
       where jsonb_array_length(excluded.data->'history') >= jsonb_array_length(work_orders.data->'history')`,
    [json],
  );
  await tx.query(
    `insert into work_order_history (order_id, seq, at, actor, action, from_status, to_status, staff_id, reason)
     select o->>'id', h.seq, (h.e->>'at')::bigint, h.e->>'by', h.e->>'action', h.e->>'from', h.e->>'to', h.e->>'staffId', h.e->>'reason'
       from jsonb_array_elements($1::jsonb) as o
       cross join lateral jsonb_array_elements(o->'history') with ordinality as h(e, seq)
      where h.seq > coalesce((select max(x.seq) from work_order_history x where x.order_id = o->>'id'), 0)
     on conflict (order_id, seq) do nothing`,
    [json],
  );
}

interface RulesRow {
  version: number;
  text: string;
  saved_at: number;
  saved_by: string;
}
const rulesVersion = (r: RulesRow): RulesVersion => ({ version: r.version, text: r.text, savedAt: r.saved_at, savedBy: r.saved_by });

const USER_COLUMNS = 'id, role, staff_id, merchant_id, key_hash, disabled, created_at';
interface UserRow {
  id: string;
  role: Role;
  staff_id: string | null;
  merchant_id: string | null;
  key_hash: string;
  disabled: boolean;
  created_at: number;
}
const storedUser = (r: UserRow): StoredUser => ({
  userId: r.id, role: r.role, staffId: r.staff_id, merchantId: r.merchant_id, keyHash: r.key_hash, disabled: r.disabled, createdAt: r.created_at,
});
