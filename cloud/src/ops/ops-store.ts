import type { Alarm, AlarmHistoryEntry, AlarmStatus, Effect, EngineSnapshot, JournalEntry, Notification, OrderHistoryEntry, OrderStatus, RulesVersion, RulesVersionSummary, StaffMember, UserRecord, WorkOrder } from '@atrium/shared';

export interface AlarmQuery {
  status?: readonly AlarmStatus[] | undefined;
  zoneId?: string | undefined;
  type?: string | undefined;
  /** raised at or after (epoch ms) */
  from?: number | undefined;
  /** raised before */
  to?: number | undefined;
  /** text to find (case-insensitive substring): ids, type, rule, zone, notes, who acted (id or name) */
  q?: string | undefined;
  /** someone who acted on it (acknowledged, cleared) */
  staff?: string | undefined;
  limit: number;
  /** rows to skip, newest first */
  offset?: number | undefined;
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
  /** text to find (case-insensitive substring): ids, type, zone, notes and reasons, who acted (id or name) */
  q?: string | undefined;
  /** a member of staff who held it, now or before */
  staff?: string | undefined;
  /** orders this alarm raised or joined */
  alarmId?: string | undefined;
  limit: number;
  /** rows to skip, newest first */
  offset?: number | undefined;
}

/**
 * The operational store of one site: alarms, work orders (with their audit trail), staff,
 * notifications, rules versions, users and the engine's snapshot. An adapter is opened for a
 * site and every query it runs is scoped to it; rows are parsed through the shared schemas
 * when read, and a row that does not parse fails with ATRIUM_STORED_ROW_INVALID naming the
 * table, id and field. One PostgreSQL-dialect schema (db/migrations.ts) behind this port;
 * PGlite (embedded) and a PostgreSQL server pass the same contract suite
 * (cloud/test/ops-store.contract.ts).
 */
export interface OpsStore {
  readonly siteId: string;
  /**
   * Persists one engine step in one transaction: its effects, its journal entry (the input and
   * `now`, appended after the last) and, if given, a snapshot of the engine after it, which
   * then stands for every journal entry up to this one (those are pruned). After a crash the
   * store holds either all of a step or none of it. Alarm, order and staff effects carry the
   * whole row after the change (upsert by id; history entries not yet stored are appended).
   * Resolves once durable.
   */
  record(batch: { effects: readonly Effect[]; journal?: readonly JournalEntry[] | undefined; snapshot?: EngineSnapshot | undefined; at: number }): Promise<void>;
  /**
   * The last snapshot saved, brought up to the current format (shared upgradeSnapshot) and
   * parsed, with the journal of the steps taken after it, oldest first: replaying them on the
   * snapshot gives the state as it was after the last stored step. null on a fresh store.
   */
  loadSnapshot(): Promise<{ snapshot: EngineSnapshot; savedAt: number; journal: JournalEntry[] } | null>;

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
  notifications(q: { to?: string | undefined; since?: number | undefined; limit: number }): Promise<Notification[]>;

  saveRules(p: { text: string; savedAt: number; savedBy: string }): Promise<RulesVersion>;
  /** The latest version, or the latest one saved by `savedBy` (e.g. the rules file). */
  currentRules(q?: { savedBy?: string }): Promise<RulesVersion | null>;
  rulesHistory(limit: number): Promise<RulesVersionSummary[]>;

  /**
   * Fails with a unique violation when the id or the key hash is taken (the error's `code` is
   * PostgreSQL's '23505' on every engine: `isUniqueViolation` in db/sql-client.ts; the caller
   * answers ATRIUM_USER_EXISTS). The user's siteId must be the store's.
   */
  addUser(u: UserRecord): Promise<void>;
  /** Keys are unique across sites: this one lookup is not scoped, so a key finds its user wherever they belong. */
  userByKeyHash(keyHash: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  setUserDisabled(id: string, disabled: boolean): Promise<boolean>;
  setUserKeyHash(id: string, keyHash: string): Promise<boolean>;

  close(): Promise<void>;
}
