/**
 * The slice of a PostgreSQL client the stores use. PGlite satisfies it directly; a `pg`
 * pool can be wrapped to it, so the stores never know which engine they run on.
 */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlTx {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  rollback(): Promise<void>;
}
