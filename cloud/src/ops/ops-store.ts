import type { Alarm, AlarmHistoryEntry, AlarmStatus } from '../dispatch/alarms.ts';
import type { Effect } from '../dispatch/effects.ts';
import type { EngineSnapshot } from '../dispatch/engine.ts';
import type { StaffMember } from '../dispatch/roster.ts';
import type { OrderHistoryEntry, OrderStatus, WorkOrder } from '../dispatch/work-orders.ts';
import type { Principal } from '../auth/principal.ts';

/** A notification as kept for the person's phone and the supervisors' inbox. */
export type StoredNotification = Extract<Effect, { kind: 'notify' }> & { id: number; at: number };

export interface AlarmQuery {
  status?: readonly AlarmStatus[] | undefined;
  zoneId?: string | undefined;
  type?: string | undefined;
  /** raised at or after (epoch ms) */
  from?: number | undefined;
  /** raised before */
  to?: number | undefined;
  limit: number;
}

export interface OrderQuery {
  status?: readonly OrderStatus[] | undefined;
  assignee?: string | undefined;
  type?: string | undefined;
  zoneId?: string | undefined;
  /** created at or after */
  from?: number | undefined;
  /** created before */
  to?: number | undefined;
  limit: number;
}

export interface RulesVersion {
  version: number;
  text: string;
  savedAt: number;
  savedBy: string;
}

/** A user of the API: an operator, a supervisor, a member of staff, a merchant or an admin. */
export interface StoredUser extends Principal {
  /** hash of the API key (the key itself is shown once, at creation) */
  keyHash: string;
  disabled: boolean;
  createdAt: number;
}

/**
 * The operational store: alarms, work orders (with their audit trail), staff, notifications,
 * rules versions, users and the engine's snapshot. One PostgreSQL-dialect schema (migrations
 * in db/migrations.ts) behind this port; adapters for PGlite (embedded) and a PostgreSQL
 * server pass the same contract suite (cloud/test/ops-store.contract.ts).
 */
export interface OpsStore {
  /**
   * Persists the effects of one engine step and, if given, the engine snapshot, in one
   * transaction: after a crash the store holds either all of a step or none of it. Alarm,
   * order and staff effects carry the whole row after the change (upsert by id; history
   * entries not yet stored are appended). Resolves once durable.
   */
  record(batch: { effects: readonly Effect[]; snapshot?: EngineSnapshot | undefined; at: number }): Promise<void>;
  /** The last snapshot saved, or null on a fresh store. */
  loadSnapshot(): Promise<{ snapshot: EngineSnapshot; savedAt: number } | null>;

  listAlarms(q: AlarmQuery): Promise<Alarm[]>;
  getAlarm(id: string): Promise<Alarm | null>;
  listOrders(q: OrderQuery): Promise<WorkOrder[]>;
  getOrder(id: string): Promise<WorkOrder | null>;
  /** Orders closed (verified or cancelled) or resolved within [from, to): the SLA report's input. */
  ordersForReport(q: { from: number; to: number }): Promise<WorkOrder[]>;
  listStaff(): Promise<StaffMember[]>;
  /** The audit trail as appended, oldest first: each entry once, however often its row was recorded. */
  orderAudit(orderId: string): Promise<OrderHistoryEntry[]>;
  alarmAudit(alarmId: string): Promise<AlarmHistoryEntry[]>;
  /** Newest first; `to` filters to one recipient, `since` to those at or after it. */
  notifications(q: { to?: string | undefined; since?: number | undefined; limit: number }): Promise<StoredNotification[]>;

  saveRules(p: { text: string; savedAt: number; savedBy: string }): Promise<RulesVersion>;
  currentRules(): Promise<RulesVersion | null>;
  rulesHistory(limit: number): Promise<Omit<RulesVersion, 'text'>[]>;

  /**
   * Fails with a unique violation when the id or the key hash is taken (the error's `code` is
   * PostgreSQL's '23505' on every engine: `isUniqueViolation` in sql-ops-store.ts; the caller
   * answers ATRIUM_USER_EXISTS).
   */
  addUser(u: StoredUser): Promise<void>;
  userByKeyHash(keyHash: string): Promise<StoredUser | null>;
  listUsers(): Promise<StoredUser[]>;
  setUserDisabled(id: string, disabled: boolean): Promise<boolean>;
  setUserKeyHash(id: string, keyHash: string): Promise<boolean>;

  close(): Promise<void>;
}
