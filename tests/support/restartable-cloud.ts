import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DispatchPolicy, SiteModel } from '@atrium/shared';
import type { Cloud } from '../../cloud/src/index.ts';
import { startTestCloud } from '../../cloud/test/support/test-cloud.ts';
import { freePort, REPO } from './processes.ts';

/**
 * A cloud in this process that can be stopped and started again the way an operator restarts
 * the service: the same ports (so open pages reconnect to the address they know) and the same
 * data directory (so sessions, orders and their audit trails are still there), with the
 * shipped rules plus any dispatch policies a test adds. The site clock is passed in, so an
 * accelerated clock keeps running across the restart.
 */
export interface RestartableCloud {
  readonly base: string;
  readonly mqttUrl: string;
  /** the cloud running now (a new object after each restart) */
  current(): Cloud;
  /** how long the last start took, ms */
  lastStartMs(): number;
  restart(): Promise<void>;
  /** stops it and removes its data directory */
  dispose(): Promise<void>;
}

export async function startRestartableCloud(opts: {
  env: Record<string, string>;
  site: SiteModel;
  clock: () => number;
  /** merged, type by type, over the shipped rules' dispatch policies (the shipped rules must raise each type) */
  dispatch?: Record<string, Partial<DispatchPolicy>>;
  /** prefix of the temporary data directory */
  name: string;
}): Promise<RestartableCloud> {
  const dir = mkdtempSync(join(tmpdir(), `${opts.name}-`));
  const rules = JSON.parse(readFileSync(join(REPO, 'cloud/rules/default.json'), 'utf8')) as { dispatch: Record<string, object> };
  for (const [type, policy] of Object.entries(opts.dispatch ?? {})) rules.dispatch[type] = { ...rules.dispatch[type], ...policy };
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules, null, 2));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const env = {
    ...opts.env,
    ATRIUM_CLOUD_HTTP_PORT: String(httpPort),
    ATRIUM_CLOUD_MQTT_PORT: String(mqttPort),
    ATRIUM_DATA_DIR: join(dir, 'cloud'),
    ATRIUM_RULES_FILE: join(dir, 'rules.json'),
  };
  let cloud: Cloud | undefined;
  let startMs = 0;
  const start = async () => {
    const t = performance.now();
    ({ cloud } = await startTestCloud(env, opts.site, { clock: opts.clock }));
    startMs = performance.now() - t;
  };
  const stop = async () => {
    const c = cloud;
    cloud = undefined;
    await c?.stop();
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    base: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    current: () => {
      if (!cloud) throw new Error('the cloud is not running');
      return cloud;
    },
    lastStartMs: () => startMs,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
