import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, runDevicesCli } from '../support/device.ts';
import { miniSite } from '../support/mini-site.ts';
import { exited, startEntryPoint, stopChild } from '../support/processes.ts';

/**
 * `npm start` (scripts/start.ts, its own process) must stop on Ctrl-C even when the simulator
 * holds messages a device can no longer deliver: an operator rotates a device's credentials
 * while it runs, the edge ends its session, the simulated device's old password is refused.
 * Before, mqtt.js kept those messages forever and the shutdown waited on them.
 */
describe('Ctrl-C on npm start after a device rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-shutdown-'));
  const siteFile = join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(miniSite));
  let start: ReturnType<typeof startEntryPoint> | undefined;

  afterAll(async () => {
    if (start) await stopChild(start);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes, saying what the rotated device could not deliver', async () => {
    start = startEntryPoint('scripts/start.ts', { LOG_LEVEL: 'info' }, ['--site', siteFile, '--data-dir', join(dir, 'data'), '--port', '0', '--edge-port', '0', '--edge-http-port', '0', '--speed', '120']);
    const out = () => start!.output();
    // The staff come on shift last, just before Ctrl-C is handled.
    await eventually(() => (out().includes('"simulated staff on shift"') ? true : undefined), 120_000, 'the simulated mall running');
    const rotated = await runDevicesCli(['rotate', 'radar-hall-1'], { ATRIUM_EDGE_DATA_DIR: join(dir, 'data', 'edge'), ATRIUM_SITE_FILE: siteFile });
    expect(rotated.code, rotated.stderr).toBe(0);
    await eventually(() => (/"deviceId":"radar-hall-1".*broker refused reconnection/.test(out()) ? true : undefined), 30_000, 'the simulated radar refused with its old password');

    start.kill('SIGINT');
    // Bounded: the sim's drain (5 s) and the edge's (5 s), then the stores; a minute is plenty on a loaded machine.
    const gone = await Promise.race([exited(start).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000).unref())]);
    expect(gone, `npm start still running a minute after Ctrl-C; it said:\n${out().slice(-4000)}`).toBe(true);
    expect(start.exitCode, out()).toBe(0);
    expect(out()).toContain('stopped cleanly');
    // What the rotated device held is named with its reason, not silently waited on.
    expect(out()).toMatch(/"deviceId":"radar-hall-1".*"unsent":\d+.*what the device holds is dropped/);
  }, 240_000);
});
