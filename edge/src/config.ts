import { z } from 'zod';
import { GatewayId, LogLevel, Port, Secret, derivePassword, gatewayPrincipal, parseConfig } from '@atrium/shared';
import { NODE_RED_ENV, checkNodeRedEnv, redConfigFromEnv, type RedConfig } from './node-red/config.ts';
import type { Plausibility } from './readings/plausibility.ts';

/** Everything the gateway can be told, variable by variable, with defaults that run on one machine. */
export const EdgeEnv = z.object({
  ATRIUM_GATEWAY_ID: GatewayId.default('gw-1'),
  ATRIUM_SITE_FILE: z.string().min(1).optional(),
  ATRIUM_EDGE_HOST: z.string().min(1).default('127.0.0.1'),
  ATRIUM_EDGE_MQTT_PORT: Port.default(1883),
  ATRIUM_EDGE_HTTP_PORT: Port.default(8081),
  ATRIUM_CLOUD_MQTT_URL: z.string().regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL').default('mqtt://127.0.0.1:1884'),
  /** Optional TLS device listener (mqtts); off unless the port, certificate and key are all given. */
  ATRIUM_EDGE_MQTTS_PORT: Port.optional(),
  ATRIUM_TLS_CERT_FILE: z.string().min(1).optional(),
  ATRIUM_TLS_KEY_FILE: z.string().min(1).optional(),
  /** This gateway's own password at the cloud, issued by `npm run gateways -- add <gatewayId>` there. */
  ATRIUM_GATEWAY_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), Secret.optional()),
  /** Deprecated: the shared secret gateway passwords used to derive from; used only without ATRIUM_GATEWAY_PASSWORD. */
  ATRIUM_GATEWAY_SECRET: z.preprocess((v) => (v === '' ? undefined : v), Secret.optional()),
  /** Key of the hash that replaces badge and parcel codes before uplink. */
  ATRIUM_PRIVACY_KEY: Secret,
  /** Prometheus' bearer token for GET /metrics; unset, /metrics answers no one. */
  ATRIUM_METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), Secret.optional()),
  /** Journal and outbox (SQLite); ':memory:' only for tests that never restart. */
  ATRIUM_EDGE_DATA_DIR: z.string().min(1).default('.data/edge'),
  /** 'full' survives power loss; 'normal' survives a process kill and is faster. */
  ATRIUM_JOURNAL_DURABILITY: z.enum(['full', 'normal']).default('full'),
  /** On shutdown, how long to wait for the cloud to take the outbox before leaving it on disk. */
  ATRIUM_STOP_DRAIN_MS: z.coerce.number().int().min(0).default(5000),
  /** Per-device publish budget: average messages per second, and the burst a reconnect may replay. */
  ATRIUM_MAX_PUBLISH_RATE: z.coerce.number().positive().default(50),
  ATRIUM_MAX_PUBLISH_BURST: z.coerce.number().int().positive().default(500),
  ATRIUM_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(64).max(262_144).default(4096),
  /** Before login: how long a connection may take to log in, and how many may be waiting, in total and per source address. */
  ATRIUM_EDGE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  ATRIUM_EDGE_MAX_PENDING_CONNECTIONS: z.coerce.number().int().min(1).default(1024),
  ATRIUM_EDGE_MAX_PENDING_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
  /** Device time more than this ahead of the gateway's clock is refused (clock_skew). */
  ATRIUM_DEVICE_CLOCK_SKEW_MS: z.coerce.number().int().min(0).default(300_000),
  /** ...and more than this behind it; 0: no limit (devices that buffered through an outage send old readings). */
  ATRIUM_DEVICE_MAX_AGE_MS: z.coerce.number().int().min(0).default(0),
  /** Plausibility: line crossings per minute one radar can count, and people per m2 a zone can hold. */
  ATRIUM_MAX_CROSSINGS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  ATRIUM_MAX_PEOPLE_PER_M2: z.coerce.number().positive().default(4),
  ATRIUM_AGGREGATE_LATENESS_MS: z.coerce.number().int().min(0).default(5000),
  ATRIUM_AGGREGATE_IDLE_MS: z.coerce.number().int().min(100).default(10_000),
  ATRIUM_FLUSH_EVERY_MS: z.coerce.number().int().min(10).default(250),
  /** How often changed zone occupancy goes to the cloud's live view: the floor of sensor-to-screen delay. */
  ATRIUM_LIVE_EVERY_MS: z.coerce.number().int().min(10).default(100),
  /** Outbox bound (bytes of uplinks waiting for the cloud); at it, minute telemetry is compacted, then no longer acknowledged. */
  ATRIUM_OUTBOX_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 ** 3),
  /** Alarm when the outbox reaches this share of its bound. */
  ATRIUM_OUTBOX_ALARM_PERCENT: z.coerce.number().int().min(1).max(99).default(80),
  /** A device reporting less battery than this raises an alarm. */
  ATRIUM_LOW_BATTERY_PERCENT: z.coerce.number().min(0).max(100).default(15),
  /** How long a device may stay disconnected before an offline alarm (reconnect blips are not alarms). */
  ATRIUM_DEVICE_OFFLINE_ALARM_MS: z.coerce.number().int().min(0).default(60_000),
  /** Embedded Node-RED (local flows): ATRIUM_RED_* in node-red/config.ts. */
  ...NODE_RED_ENV,
  LOG_LEVEL: LogLevel,
}).superRefine((cfg, ctx) => {
  if (cfg.ATRIUM_GATEWAY_PASSWORD === undefined && cfg.ATRIUM_GATEWAY_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ATRIUM_GATEWAY_PASSWORD'], message: "is required: this gateway's own password at the cloud (npm run gateways -- add <gatewayId>, on the cloud)" });
  }
  const tls = [cfg.ATRIUM_EDGE_MQTTS_PORT, cfg.ATRIUM_TLS_CERT_FILE, cfg.ATRIUM_TLS_KEY_FILE];
  if (tls.some((v) => v !== undefined) && tls.some((v) => v === undefined)) {
    for (const [i, name] of (['ATRIUM_EDGE_MQTTS_PORT', 'ATRIUM_TLS_CERT_FILE', 'ATRIUM_TLS_KEY_FILE'] as const).entries()) {
      if (tls[i] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when any of ATRIUM_EDGE_MQTTS_PORT, ATRIUM_TLS_CERT_FILE, ATRIUM_TLS_KEY_FILE is set (the TLS listener needs all three)' });
    }
  }
}).superRefine(checkNodeRedEnv);

export type EdgeEnv = z.output<typeof EdgeEnv>;
/** What callers may pass to parseEdgeConfig: the variables, as strings. */
export type EdgeConfigInput = z.input<typeof EdgeEnv>;

/** The gateway's settings by what they are for, parsed and checked once at the entry point, deeply frozen. */
export interface EdgeConfig {
  readonly gatewayId: string;
  /** unset: the demo mall */
  readonly siteFile: string | undefined;
  readonly logLevel: EdgeEnv['LOG_LEVEL'];
  /** Key of the hash that replaces badge and parcel codes before anything leaves the gateway. */
  readonly privacyKey: string;
  /** Device credentials, journal and outbox, Node-RED's flows; ':memory:' only for tests that never restart. */
  readonly dataDir: string;
  /** What devices connect to, and what each of them may send. */
  readonly edge: {
    readonly host: string;
    readonly mqttPort: number;
    readonly httpPort: number;
    /** the bearer token /metrics asks for (ATRIUM_METRICS_TOKEN); undefined: /metrics is refused */
    readonly metricsToken: string | undefined;
    /** the mqtts listener; undefined: off */
    readonly tls: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
    readonly maxPayloadBytes: number;
    /** per device: messages per second on average, and the burst a reconnect may replay */
    readonly publishRate: number;
    readonly publishBurst: number;
    /** connections that have not logged in yet: how long they may take, how many at once */
    readonly login: { readonly timeoutMs: number; readonly maxPending: number; readonly maxPendingPerAddress: number };
    /** what a reading may claim: device time near the gateway's clock, counts its kind can produce */
    readonly plausibility: Plausibility;
  };
  /**
   * The cloud: where uplinks go, and this gateway's password there: its own (`own`), or, on an
   * installation not yet moved off the deprecated shared ATRIUM_GATEWAY_SECRET, derived from it.
   */
  readonly uplink: { readonly url: string; readonly password: string; readonly credential: 'own' | 'derived'; readonly liveEveryMs: number };
  readonly outbox: {
    readonly durability: 'full' | 'normal';
    readonly maxBytes: number;
    readonly alarmPercent: number;
    /** how often closed minutes and queued events are folded into uplinks */
    readonly flushEveryMs: number;
    /** on shutdown, how long to wait for the cloud before leaving the outbox on disk */
    readonly stopDrainMs: number;
  };
  /** when a device minute is closed */
  readonly aggregate: { readonly latenessMs: number; readonly idleMs: number };
  readonly health: { readonly lowBatteryPercent: number; readonly offlineAlarmMs: number };
  readonly red: RedConfig;
}

function fromEnv(e: EdgeEnv): EdgeConfig {
  return {
    gatewayId: e.ATRIUM_GATEWAY_ID,
    siteFile: e.ATRIUM_SITE_FILE,
    logLevel: e.LOG_LEVEL,
    privacyKey: e.ATRIUM_PRIVACY_KEY,
    dataDir: e.ATRIUM_EDGE_DATA_DIR,
    edge: {
      host: e.ATRIUM_EDGE_HOST,
      mqttPort: e.ATRIUM_EDGE_MQTT_PORT,
      httpPort: e.ATRIUM_EDGE_HTTP_PORT,
      metricsToken: e.ATRIUM_METRICS_TOKEN,
      // The schema's refinement has made the three all-or-none.
      tls: e.ATRIUM_EDGE_MQTTS_PORT !== undefined && e.ATRIUM_TLS_CERT_FILE && e.ATRIUM_TLS_KEY_FILE ? { port: e.ATRIUM_EDGE_MQTTS_PORT, certFile: e.ATRIUM_TLS_CERT_FILE, keyFile: e.ATRIUM_TLS_KEY_FILE } : undefined,
      maxPayloadBytes: e.ATRIUM_MAX_PAYLOAD_BYTES,
      publishRate: e.ATRIUM_MAX_PUBLISH_RATE,
      publishBurst: e.ATRIUM_MAX_PUBLISH_BURST,
      login: { timeoutMs: e.ATRIUM_EDGE_CONNECT_TIMEOUT_MS, maxPending: e.ATRIUM_EDGE_MAX_PENDING_CONNECTIONS, maxPendingPerAddress: e.ATRIUM_EDGE_MAX_PENDING_PER_ADDRESS },
      plausibility: {
        clockSkewMs: e.ATRIUM_DEVICE_CLOCK_SKEW_MS,
        maxAgeMs: e.ATRIUM_DEVICE_MAX_AGE_MS,
        maxCrossingsPerMinute: e.ATRIUM_MAX_CROSSINGS_PER_MINUTE,
        maxPeoplePerM2: e.ATRIUM_MAX_PEOPLE_PER_M2,
      },
    },
    uplink: { url: e.ATRIUM_CLOUD_MQTT_URL, ...uplinkPassword(e), liveEveryMs: e.ATRIUM_LIVE_EVERY_MS },
    outbox: {
      durability: e.ATRIUM_JOURNAL_DURABILITY,
      maxBytes: e.ATRIUM_OUTBOX_MAX_BYTES,
      alarmPercent: e.ATRIUM_OUTBOX_ALARM_PERCENT,
      flushEveryMs: e.ATRIUM_FLUSH_EVERY_MS,
      stopDrainMs: e.ATRIUM_STOP_DRAIN_MS,
    },
    aggregate: { latenessMs: e.ATRIUM_AGGREGATE_LATENESS_MS, idleMs: e.ATRIUM_AGGREGATE_IDLE_MS },
    health: { lowBatteryPercent: e.ATRIUM_LOW_BATTERY_PERCENT, offlineAlarmMs: e.ATRIUM_DEVICE_OFFLINE_ALARM_MS },
    red: redConfigFromEnv(e),
  };
}

function uplinkPassword(e: EdgeEnv): { password: string; credential: 'own' | 'derived' } {
  if (e.ATRIUM_GATEWAY_PASSWORD !== undefined) return { password: e.ATRIUM_GATEWAY_PASSWORD, credential: 'own' };
  // The schema's refinement has made one of the two required.
  return { password: derivePassword(e.ATRIUM_GATEWAY_SECRET!, gatewayPrincipal(e.ATRIUM_GATEWAY_ID)), credential: 'derived' };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The one place the edge's environment is read: an env-like record (process.env, or a
 * test's) in, EdgeConfig out. A bad value throws a ConfigError naming the variable and why.
 */
export function parseEdgeConfig(env: Record<string, string | undefined>): EdgeConfig {
  return deepFreeze(fromEnv(parseConfig(EdgeEnv, env, 'edge')));
}
