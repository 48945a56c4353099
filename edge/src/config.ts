import { z } from 'zod';
import { GatewayId, LogLevel, Port, Secret, parseConfig } from '@atrium/shared';
import { NODE_RED_CONFIG, checkNodeRedConfig } from './node-red/config.ts';

/** Everything the gateway can be told, with defaults that run on one machine. */
export const EdgeConfig = z.object({
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
  /** Derives this gateway's password at the cloud. */
  ATRIUM_GATEWAY_SECRET: Secret,
  /** Key of the hash that replaces badge and parcel codes before uplink. */
  ATRIUM_PRIVACY_KEY: Secret,
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
  ...NODE_RED_CONFIG,
  LOG_LEVEL: LogLevel,
}).superRefine((cfg, ctx) => {
  const tls = [cfg.ATRIUM_EDGE_MQTTS_PORT, cfg.ATRIUM_TLS_CERT_FILE, cfg.ATRIUM_TLS_KEY_FILE];
  if (tls.some((v) => v !== undefined) && tls.some((v) => v === undefined)) {
    for (const [i, name] of (['ATRIUM_EDGE_MQTTS_PORT', 'ATRIUM_TLS_CERT_FILE', 'ATRIUM_TLS_KEY_FILE'] as const).entries()) {
      if (tls[i] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when any of ATRIUM_EDGE_MQTTS_PORT, ATRIUM_TLS_CERT_FILE, ATRIUM_TLS_KEY_FILE is set (the TLS listener needs all three)' });
    }
  }
}).superRefine(checkNodeRedConfig);

export type EdgeConfigInput = z.input<typeof EdgeConfig>;
export type EdgeConfig = Readonly<z.output<typeof EdgeConfig>>;

export const parseEdgeConfig = (env: Record<string, string | undefined>): EdgeConfig => parseConfig(EdgeConfig, env, 'edge');
