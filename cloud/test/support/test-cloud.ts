import { pino } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { createCloud, parseCloudConfig, type Cloud, type CloudDeps } from '../../src/index.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';

/**
 * A cloud in this process on loopback, as tests use it: free ports, a throwaway embedded
 * database, the mini mall, silent logs. `env` adds or overrides variables (ATRIUM_ADMIN_KEY,
 * limits under test…); `deps` a site clock and timers. Stop it with `cloud.stop()`.
 */
export async function startTestCloud(
  env: Record<string, string> = {},
  site: SiteModel = miniSite,
  deps: Pick<CloudDeps, 'clock' | 'timers'> = {},
): Promise<{ cloud: Cloud; base: string; mqttUrl: string }> {
  const config = parseCloudConfig({
    ATRIUM_CLOUD_HTTP_PORT: '0',
    ATRIUM_CLOUD_MQTT_PORT: '0',
    ATRIUM_DATA_DIR: 'memory://',
    ATRIUM_GATEWAY_SECRET: 'gateway-secret-for-tests-01',
    ...env,
  });
  const cloud = await createCloud(config, { site, logger: pino({ level: 'silent' }), ...deps });
  const ports = await cloud.start();
  return { cloud, base: `http://127.0.0.1:${ports.httpPort}`, mqttUrl: `mqtt://127.0.0.1:${ports.mqttPort}` };
}
