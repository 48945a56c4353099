import { gzip } from 'node:zlib';
import { HttpError, InfluxDB, setLogger, type SendOptions, type Transport } from '@influxdata/influxdb-client';

/**
 * InfluxDB over its v1 HTTP API only: `/write` (line protocol), `/query` (InfluxQL), `/ping`.
 * 1.x serves these natively, 2.x and 3.x through their v1 compatibility endpoints, so one
 * client speaks to all three.
 *
 * Writes still go through `@influxdata/influxdb-client`'s WriteApi (batching, gzip, retries
 * with exponential backoff and jitter, Retry-After): the library posts to `/api/v2/write?
 * org=&bucket=&precision=`, and {@link V1WriteTransport} rewrites exactly that path to
 * `/write?db=&rp=&precision=` before handing it to the library's own Node transport (which
 * does the timeouts and auth header). The bucket string carries `db/rp`, the same
 * convention as InfluxDB 2.x's virtual DBRP mappings.
 *
 * Write bodies above the WriteApi's gzip threshold are compressed here, at zlib level 1,
 * rather than by the library at zlib's default level 6: line protocol shrinks about 13× at
 * level 1 and 17× at level 6, but level 6 took twice the CPU (25 ms per 5,000 points on the
 * bench machine) — more than all the rest of the adapter's work on a batch except the
 * embedded database, on the path of every request.
 */

export interface InfluxConnection {
  url: string;
  /** `Authorization: Token …` (2.x, 3.x, 1.8+ as `user:password`). */
  token?: string | undefined;
  /** HTTP basic auth (1.x users; 2.x accepts any username with the token as password). */
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

/** Where one kind of data goes: a database and, optionally, a retention policy in it. */
export interface InfluxTarget {
  db: string;
  rp?: string | undefined;
}

export const bucketOf = (t: InfluxTarget) => (t.rp ? `${t.db}/${t.rp}` : t.db);
/**
 * `"rp"."measurement"`, or just `"measurement"` for the default policy; the database is the
 * request's `db` parameter (the form every version's InfluxQL accepts).
 */
export const fromClause = (t: InfluxTarget, measurement: string) => (t.rp ? `${ident(t.rp)}.${ident(measurement)}` : ident(measurement));
export const ident = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
export const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const timeLiteral = (ms: number) => literal(new Date(ms).toISOString());

const WRITE_V2 = '/api/v2/write?';

export class V1WriteTransport implements Transport {
  readonly chunkCombiner: Transport['chunkCombiner'];
  constructor(private readonly inner: Transport) {
    this.chunkCombiner = inner.chunkCombiner;
  }
  static path(path: string): string {
    if (!path.startsWith(WRITE_V2)) return path;
    const v2 = new URLSearchParams(path.slice(WRITE_V2.length));
    const bucket = v2.get('bucket') ?? '';
    const slash = bucket.lastIndexOf('/');
    const v1 = new URLSearchParams({ db: slash < 0 ? bucket : bucket.slice(0, slash) });
    if (slash >= 0) v1.set('rp', bucket.slice(slash + 1));
    v1.set('precision', v2.get('precision') ?? 'ns');
    return `/write?${v1.toString()}`;
  }
  send(...[path, body, options, callbacks]: Parameters<Transport['send']>): void {
    const v1 = V1WriteTransport.path(path);
    const threshold = options.gzipThreshold;
    if (v1 === path || threshold === undefined || body.length <= threshold) {
      this.inner.send(v1, body, options, callbacks);
      return;
    }
    gzip(body, { level: 1 }, (err, compressed) => {
      if (err) {
        callbacks?.error?.(err);
        return;
      }
      // The library's transport takes the body as it is when it is already bytes (it copies
      // them with Buffer.from) and, without a threshold, does not compress it again.
      const headers = { ...options.headers, 'content-encoding': 'gzip' };
      this.inner.send(v1, compressed as unknown as string, { ...options, gzipThreshold: undefined, headers }, callbacks);
    });
  }
  request(...[path, body, options, started]: Parameters<Transport['request']>): Promise<any> {
    return this.inner.request(V1WriteTransport.path(path), body, options, started);
  }
  iterate(...[path, body, options]: Parameters<Transport['iterate']>): AsyncIterableIterator<Uint8Array> {
    return this.inner.iterate(V1WriteTransport.path(path), body, options);
  }
}

// The library logs every failed attempt on the console; the store reports failures itself
// (log, metrics, health), once per outage rather than once per retry.
setLogger({ error: () => undefined, warn: () => undefined });

export interface QuerySeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** A series' values as one record per row, keyed by column. */
export function seriesRows(s: QuerySeries): Array<Record<string, unknown>> {
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}

/** Why a request failed, in the words an operator can act on. */
export type FailureKind = 'unreachable' | 'timeout' | 'auth' | 'not_found' | 'too_large' | 'rejected' | 'server';

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof HttpError) {
    if (err.statusCode === 401 || err.statusCode === 403) return 'auth';
    if (err.statusCode === 404) return 'not_found';
    if (err.statusCode === 413) return 'too_large';
    if (err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 408 && err.statusCode !== 429) return 'rejected';
    return 'server';
  }
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'RequestTimedOutError' || e?.code === 'ETIMEDOUT' || e?.code === 'ESOCKETTIMEDOUT') return 'timeout';
  return 'unreachable';
}

export function describeFailure(err: unknown): string {
  if (err instanceof HttpError) {
    const detail = (err.json as { error?: string; message?: string } | undefined)?.error ?? (err.json as { message?: string } | undefined)?.message ?? err.body ?? err.statusMessage;
    return `HTTP ${err.statusCode}${detail ? `: ${String(detail).slice(0, 300)}` : ''}`;
  }
  const e = err as { code?: string; message?: string };
  return [e?.code, e?.message].filter(Boolean).join(' ') || String(err);
}

export interface InfluxClient {
  /** The library client whose writes go to the v1 `/write` endpoint. */
  readonly influx: InfluxDB;
  readonly url: string;
  ping(): Promise<{ status: number; version: string | undefined }>;
  /** Runs one read-only InfluxQL statement; times come back as epoch milliseconds. */
  query(db: string, q: string): Promise<QuerySeries[]>;
}

export class InfluxQueryError extends Error {
  override name = 'InfluxQueryError';
}

export function createInfluxClient(conn: InfluxConnection): InfluxClient {
  const headers: Record<string, string> = {};
  if (conn.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${conn.username}:${conn.password ?? ''}`).toString('base64')}`;
  // The library's Node transport: keep-alive agent, timeouts, gzip, `Authorization: Token`.
  const base = new InfluxDB({ url: conn.url, token: conn.token, timeout: conn.timeoutMs, headers }).transport;
  const influx = new InfluxDB({ url: conn.url, transport: new V1WriteTransport(base) });
  const get: SendOptions = { method: 'GET', headers: { accept: 'application/json' } };
  return {
    influx,
    url: conn.url,
    async ping() {
      let status = 0;
      let version: string | undefined;
      const body = (await base.request('/ping', '', { method: 'GET' }, (h, code) => {
        status = code ?? 0;
        const v = h['x-influxdb-version'];
        version = Array.isArray(v) ? v[0] : v;
      })) as { version?: unknown } | undefined;
      // 1.x and 2.x answer 204 with X-Influxdb-Version; 3.x may answer 200 with {"version": …}.
      if (!version && body && typeof body === 'object' && typeof body.version === 'string') version = body.version;
      return { status, version };
    },
    async query(db, q) {
      const params = new URLSearchParams({ db, epoch: 'ms', q });
      const body = (await base.request(`/query?${params.toString()}`, '', get)) as { results?: { error?: string; series?: QuerySeries[] }[]; error?: string } | undefined;
      if (body?.error) throw new InfluxQueryError(body.error);
      const first = body?.results?.[0];
      if (first?.error) throw new InfluxQueryError(first.error);
      return first?.series ?? [];
    },
  };
}
