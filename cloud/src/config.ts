import { z } from 'zod';
import { describeIssues } from '@atrium/shared';

const Port = z.coerce.number().int().min(0).max(65_535);

export const CloudConfig = z.object({
  ATRIUM_SITE_FILE: z.string().min(1).optional(),
  ATRIUM_CLOUD_HOST: z.string().min(1).default('127.0.0.1'),
  ATRIUM_CLOUD_HTTP_PORT: Port.default(8080),
  ATRIUM_CLOUD_MQTT_PORT: Port.default(1884),
  /** Where the embedded database lives; `memory://` for a throwaway one. */
  ATRIUM_DATA_DIR: z.string().min(1).default('.data/cloud'),
  /** Verifies gateway passwords (see shared/credentials.ts). */
  ATRIUM_GATEWAY_SECRET: z.string().min(16, 'must be at least 16 characters (try: openssl rand -base64 32)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type CloudConfigInput = z.input<typeof CloudConfig>;
export type CloudConfig = Readonly<z.output<typeof CloudConfig>>;

export class CloudConfigError extends Error {
  override name = 'CloudConfigError';
}

/** Parsed once at the entry point; the result is frozen and passed down. */
export function parseCloudConfig(env: Record<string, string | undefined>): CloudConfig {
  const parsed = CloudConfig.safeParse(env);
  if (!parsed.success) throw new CloudConfigError(`invalid cloud configuration: ${describeIssues(parsed.error)}`);
  return Object.freeze(parsed.data);
}
