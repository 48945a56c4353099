import { z } from 'zod';
import { GatewayId, LogLevel, Port, Secret, parseConfig } from '@atrium/shared';

/** Everything the gateway can be told, with defaults that run on one machine. */
export const EdgeConfig = z.object({
  ATRIUM_GATEWAY_ID: GatewayId.default('gw-1'),
  ATRIUM_SITE_FILE: z.string().min(1).optional(),
  ATRIUM_EDGE_HOST: z.string().min(1).default('127.0.0.1'),
  ATRIUM_EDGE_MQTT_PORT: Port.default(1883),
  ATRIUM_EDGE_HTTP_PORT: Port.default(8081),
  ATRIUM_CLOUD_MQTT_URL: z.string().regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL').default('mqtt://127.0.0.1:1884'),
  /** Verifies device passwords (see shared/credentials.ts). */
  ATRIUM_DEVICE_SECRET: Secret,
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
  LOG_LEVEL: LogLevel,
});

export type EdgeConfigInput = z.input<typeof EdgeConfig>;
export type EdgeConfig = Readonly<z.output<typeof EdgeConfig>>;

export const parseEdgeConfig = (env: Record<string, string | undefined>): EdgeConfig => parseConfig(EdgeConfig, env, 'edge');
