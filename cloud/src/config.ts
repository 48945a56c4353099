import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { LogLevel, Port, Secret, parseConfig } from '@atrium/shared';
import type { InfluxSettings } from './series/open-series-store.ts';
import { parseRange } from './merchants/webhook-address.ts';

/** The demo mall's rule set, shipped with the cloud. */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../rules/default.json', import.meta.url));

/** An unset variable and an empty one (compose's `${X:-}`) mean the same: not given. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
/** Database, bucket and retention-policy names: no quoting surprises in InfluxQL, URLs or line protocol. */
const InfluxName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-' (no '/')");
const PositiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
/** Comma-separated CIDR ranges or single addresses, canonical out (10.0.0.0/8, fd00::/8, 127.0.0.1/32). */
const AddressRanges = z.string().transform((text, ctx) => {
  const out: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    try {
      const [addr, bits] = parseRange(part);
      out.push(`${addr.toString()}/${bits}`);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }
  return out;
});

/**
 * The cloud's environment, variable by variable: what an operator sets. Nothing below the
 * entry point reads these names; parseCloudConfig turns them into CloudConfig once.
 */
export const CloudEnv = z
  .object({
    ATRIUM_SITE_FILE: z.string().min(1).optional(),
    ATRIUM_CLOUD_HOST: z.string().min(1).default('127.0.0.1'),
    ATRIUM_CLOUD_HTTP_PORT: Port.default(8080),
    ATRIUM_CLOUD_MQTT_PORT: Port.default(1884),
    /** Where the embedded database lives; `memory://` for a throwaway one. */
    ATRIUM_DATA_DIR: z.string().min(1).default('.data/cloud'),
    /**
     * Deprecated: the shared secret every gateway's password used to derive from. While set,
     * a gateway with no stored credential (npm run gateways) may still log in with the derived
     * password (a warning each hour); a gateway that has one must use it.
     */
    ATRIUM_GATEWAY_SECRET: optional(Secret),
    /** The bearer token Prometheus scrapes /metrics with (an admin's API key also reads it); unset: admins only. */
    ATRIUM_METRICS_TOKEN: optional(Secret),
    LOG_LEVEL: LogLevel,

    /**
     * A PostgreSQL server (postgres://user:password@host:5432/atrium) for everything the cloud
     * keeps in SQL: work orders, alarms, staff, users, the uplink ledger and the embedded series
     * store. Unset: the embedded PostgreSQL in ATRIUM_DATA_DIR.
     */
    ATRIUM_DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })),
    /** The rules file (JSON); watched, and reloaded when it changes. */
    ATRIUM_RULES_FILE: z.string().min(1).default(DEFAULT_RULES_FILE),
    /** The admin's API key: makes user `admin` exist and answer to it; the admin creates every other user through the API. */
    ATRIUM_ADMIN_KEY: optional(z.string().min(24, 'must be at least 24 characters (use `openssl rand -base64 32`)')),
    /**
     * The admin's password for signing in to the pages; set only if the admin has none yet (a
     * password changed in the pages is kept). Unset: the admin signs in after a reset link.
     */
    ATRIUM_ADMIN_PASSWORD: optional(z.string().min(10, 'must be at least 10 characters').max(256)),
    /** A signed-in session not used for this many minutes ends (pages keep theirs alive while open). */
    ATRIUM_SESSION_IDLE_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(12 * 60),
    /** A session ends this many hours after sign-in however much it is used. */
    ATRIUM_SESSION_MAX_HOURS: z.coerce.number().positive().max(90 * 24).default(7 * 24),
    /** How long a password reset link an admin made stays valid. */
    ATRIUM_PASSWORD_RESET_HOURS: PositiveInt(30 * 24).default(72),
    /** How often time passes in the rules and SLA clocks (silence, accept timeouts, verification). */
    ATRIUM_DISPATCH_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /**
     * How often the engine's whole state is saved; between snapshots each step is stored as its
     * journal entry and effects, and a restart replays the journal onto the last snapshot.
     */
    ATRIUM_SNAPSHOT_EVERY_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
    /** Non-public ranges merchant webhooks may reach (e.g. 10.20.0.0/16,127.0.0.1); unset: public addresses only. */
    ATRIUM_WEBHOOK_ALLOW_PRIVATE: optional(AddressRanges),
    /** REST requests per minute from one address without a valid API key (a bad key counts here). */
    ATRIUM_HTTP_RATE_LIMIT_ANONYMOUS: PositiveInt(1_000_000).default(600),
    /** REST requests per minute for one authenticated user, across all their keys' sessions. */
    ATRIUM_HTTP_RATE_LIMIT_USER: PositiveInt(1_000_000).default(6000),

    /** Where time series go: the embedded PostgreSQL (default) or an InfluxDB server (1.x, 2.x or 3.x). */
    ATRIUM_SERIES_STORE: z.enum(['embedded', 'influxdb']).default('embedded'),
    /** InfluxDB base URL, e.g. http://influxdb:8086 (1.x, 2.x) or http://influxdb3:8181 (3.x). */
    ATRIUM_INFLUX_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })),
    /** API token (2.x, 3.x; 1.8+ accepts `user:password`). Or use USERNAME and PASSWORD (1.x). */
    ATRIUM_INFLUX_TOKEN: optional(z.string().min(1)),
    ATRIUM_INFLUX_USERNAME: optional(z.string().min(1)),
    ATRIUM_INFLUX_PASSWORD: optional(z.string().min(1)),
    /** Database for minute data (2.x: the bucket's database in its DBRP mapping; 3.x: the database). */
    ATRIUM_INFLUX_DATABASE: optional(InfluxName),
    /** Retention policy for minute data; unset = the database's default. */
    ATRIUM_INFLUX_RETENTION_POLICY: optional(InfluxName),
    /** Where hourly rollups go (kept longer than minute data); unset = the minute database/policy. */
    ATRIUM_INFLUX_ROLLUP_DATABASE: optional(InfluxName),
    ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY: optional(InfluxName),
    /** How long the server keeps minute data (0 = forever); older ranges are read from the hourly rollups. */
    ATRIUM_INFLUX_MINUTE_RETENTION_DAYS: z.coerce.number().min(0).max(100_000).default(0),
    /** Points per write request. */
    ATRIUM_INFLUX_BATCH_POINTS: PositiveInt(100_000).default(5000),
    /** Points the disk buffer may hold while InfluxDB is away; beyond it uplinks are not acknowledged. */
    ATRIUM_INFLUX_BUFFER_MAX_POINTS: PositiveInt(1_000_000_000).default(5_000_000),
    /** One request's time limit. */
    ATRIUM_INFLUX_TIMEOUT_MS: PositiveInt(600_000).default(10_000),
    /** How long start-up waits for a server it has never reached before giving up. */
    ATRIUM_INFLUX_STARTUP_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  })
  .superRefine((c, ctx) => {
    if (c.ATRIUM_SERIES_STORE !== 'influxdb') return;
    const need = (key: keyof typeof c, why: string) => {
      if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when ATRIUM_SERIES_STORE=influxdb (${why})` });
    };
    need('ATRIUM_INFLUX_URL', 'e.g. http://127.0.0.1:8086');
    need('ATRIUM_INFLUX_DATABASE', 'the database, or the bucket mapped to it, that holds minute data');
    if (c.ATRIUM_INFLUX_TOKEN !== undefined && (c.ATRIUM_INFLUX_USERNAME !== undefined || c.ATRIUM_INFLUX_PASSWORD !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ATRIUM_INFLUX_TOKEN'], message: 'set either a token or ATRIUM_INFLUX_USERNAME/ATRIUM_INFLUX_PASSWORD, not both' });
    }
    if ((c.ATRIUM_INFLUX_USERNAME === undefined) !== (c.ATRIUM_INFLUX_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.ATRIUM_INFLUX_USERNAME === undefined ? 'ATRIUM_INFLUX_USERNAME' : 'ATRIUM_INFLUX_PASSWORD'], message: 'username and password go together' });
    }
    if (c.ATRIUM_DATA_DIR.startsWith('memory://')) {
      ctx.addIssue({
        code: 'custom',
        path: ['ATRIUM_DATA_DIR'],
        message: 'must be a directory with ATRIUM_SERIES_STORE=influxdb: the uplink ledger and the write buffer live there, and a throwaway one would store redelivered uplinks twice after a restart',
      });
    }
  });

export type CloudEnvInput = z.input<typeof CloudEnv>;
type CloudEnv = z.output<typeof CloudEnv>;

/** REST requests allowed per minute: per source address without a valid key, per user with one. */
export interface HttpRateLimit {
  readonly anonymousPerMinute: number;
  readonly userPerMinute: number;
}

/** The cloud's settings by what they are for, parsed and checked once at the entry point, deeply frozen. */
export interface CloudConfig {
  /** unset: the demo mall */
  readonly siteFile: string | undefined;
  readonly logLevel: CloudEnv['LOG_LEVEL'];
  /** the REST API, socket.io and the pages */
  readonly http: { readonly host: string; readonly port: number; readonly rateLimit: HttpRateLimit; readonly metricsToken: string | undefined };
  /**
   * the uplink listener gateways connect to, each with its own stored credential;
   * legacyGatewaySecret (deprecated) also admits gateways without one by the derived password
   */
  readonly mqtt: { readonly host: string; readonly port: number; readonly legacyGatewaySecret: string | undefined };
  /** a PostgreSQL server when url is set, else the embedded one in dataDir (`memory://`: throwaway) */
  readonly database: { readonly url: string | undefined; readonly dataDir: string };
  /** the admin's API key (unset: no admin is made at start-up) and first password */
  readonly users: { readonly adminKey: string | undefined; readonly adminPassword: string | undefined };
  /** people's sign-in: how long sessions and reset links last */
  readonly signIn: { readonly sessionIdleMs: number; readonly sessionMaxAgeMs: number; readonly resetValidMs: number };
  readonly dispatch: { readonly rulesFile: string; readonly tickMs: number; readonly snapshotEveryMs: number };
  /** merchant webhooks: the non-public ranges (canonical CIDRs) they may reach besides public addresses */
  readonly webhooks: { readonly allowPrivate: readonly string[] };
  /** where series go: null = the embedded database, else this InfluxDB server */
  readonly influx: InfluxSettings | null;
}

function fromEnv(e: CloudEnv): CloudConfig {
  return {
    siteFile: e.ATRIUM_SITE_FILE,
    logLevel: e.LOG_LEVEL,
    http: { host: e.ATRIUM_CLOUD_HOST, port: e.ATRIUM_CLOUD_HTTP_PORT, rateLimit: { anonymousPerMinute: e.ATRIUM_HTTP_RATE_LIMIT_ANONYMOUS, userPerMinute: e.ATRIUM_HTTP_RATE_LIMIT_USER }, metricsToken: e.ATRIUM_METRICS_TOKEN },
    mqtt: { host: e.ATRIUM_CLOUD_HOST, port: e.ATRIUM_CLOUD_MQTT_PORT, legacyGatewaySecret: e.ATRIUM_GATEWAY_SECRET },
    database: { url: e.ATRIUM_DATABASE_URL, dataDir: e.ATRIUM_DATA_DIR },
    users: { adminKey: e.ATRIUM_ADMIN_KEY, adminPassword: e.ATRIUM_ADMIN_PASSWORD },
    signIn: { sessionIdleMs: Math.round(e.ATRIUM_SESSION_IDLE_MINUTES * 60_000), sessionMaxAgeMs: Math.round(e.ATRIUM_SESSION_MAX_HOURS * 3_600_000), resetValidMs: e.ATRIUM_PASSWORD_RESET_HOURS * 3_600_000 },
    dispatch: { rulesFile: e.ATRIUM_RULES_FILE, tickMs: e.ATRIUM_DISPATCH_TICK_MS, snapshotEveryMs: e.ATRIUM_SNAPSHOT_EVERY_MS },
    webhooks: { allowPrivate: e.ATRIUM_WEBHOOK_ALLOW_PRIVATE ?? [] },
    influx: e.ATRIUM_SERIES_STORE === 'influxdb' ? influxFromEnv(e) : null,
  };
}

function influxFromEnv(e: CloudEnv): InfluxSettings {
  // The schema's refinement has made URL and database required for influxdb.
  const minute = { db: e.ATRIUM_INFLUX_DATABASE!, rp: e.ATRIUM_INFLUX_RETENTION_POLICY };
  const rollupDb = e.ATRIUM_INFLUX_ROLLUP_DATABASE;
  const rollupRp = e.ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY;
  // A rollup database alone means its default policy; a rollup policy alone lives in the minute database.
  const rollup = rollupDb !== undefined || rollupRp !== undefined ? { db: rollupDb ?? minute.db, rp: rollupRp ?? (rollupDb !== undefined ? undefined : minute.rp) } : minute;
  return {
    url: e.ATRIUM_INFLUX_URL!,
    token: e.ATRIUM_INFLUX_TOKEN,
    username: e.ATRIUM_INFLUX_USERNAME,
    password: e.ATRIUM_INFLUX_PASSWORD,
    timeoutMs: e.ATRIUM_INFLUX_TIMEOUT_MS,
    startupTimeoutMs: e.ATRIUM_INFLUX_STARTUP_TIMEOUT_MS,
    minute,
    rollup,
    minuteRetentionDays: e.ATRIUM_INFLUX_MINUTE_RETENTION_DAYS,
    batchPoints: e.ATRIUM_INFLUX_BATCH_POINTS,
    bufferMaxPoints: e.ATRIUM_INFLUX_BUFFER_MAX_POINTS,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The one place the cloud's environment is read: an env-like record (process.env, or a
 * test's) in, CloudConfig out. A bad value throws a ConfigError naming the variable and why.
 */
export function parseCloudConfig(env: Record<string, string | undefined>): CloudConfig {
  return deepFreeze(fromEnv(parseConfig(CloudEnv, env, 'cloud')));
}
