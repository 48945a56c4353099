/**
 * The slice of a PostgreSQL client the stores use. PGlite satisfies it directly; a `pg`
 * pool can be wrapped to it, so the stores never know which engine they run on.
 */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of one or more statements as written (no parameters), e.g. a migration. */
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlTx {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /**
   * Runs a script of one or more statements inside the transaction. The server parses it
   * (PGlite's exec, pg's simple query protocol), so a `;` in a string literal or a `$$`
   * body is only text; never split a script by hand.
   */
  exec(sql: string): Promise<unknown>;
  rollback(): Promise<void>;
}

/** PostgreSQL's unique_violation, as both engines report it (a taken id or key). */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';
