import { z } from 'zod';
import { LogLevel, Port, Secret, parseConfig } from '@atrium/shared';

export const CloudConfig = z.object({
  ATRIUM_SITE_FILE: z.string().min(1).optional(),
  ATRIUM_CLOUD_HOST: z.string().min(1).default('127.0.0.1'),
  ATRIUM_CLOUD_HTTP_PORT: Port.default(8080),
  ATRIUM_CLOUD_MQTT_PORT: Port.default(1884),
  /** Where the embedded database lives; `memory://` for a throwaway one. */
  ATRIUM_DATA_DIR: z.string().min(1).default('.data/cloud'),
  /** Verifies gateway passwords (see shared/credentials.ts). */
  ATRIUM_GATEWAY_SECRET: Secret,
  LOG_LEVEL: LogLevel,
});

export type CloudConfigInput = z.input<typeof CloudConfig>;
export type CloudConfig = Readonly<z.output<typeof CloudConfig>>;

export const parseCloudConfig = (env: Record<string, string | undefined>): CloudConfig => parseConfig(CloudConfig, env, 'cloud');
