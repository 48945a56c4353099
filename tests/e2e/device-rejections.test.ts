import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import type { DeviceHealthReport } from '@atrium/shared';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';
import { connectDevice, publish, topicOf } from '../support/device.ts';
import { miniSite } from '../support/mini-site.ts';

const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);
const POLL = { timeout: 15_000, interval: 200 };

/**
 * Issue 14: a message the edge refuses reaches the Devices page as a count against the device
 * that sent it, with its reason, through the real path (device → edge → cloud).
 */
describe('rejected messages per device on the Devices page (real edge, real cloud, real Chromium)', () => {
  let stack: Stack;
  let radar: MqttClient;
  let browser: Browser | undefined;
  const devices = async (): Promise<DeviceHealthReport> => {
    const r = await fetch(new URL('api/v1/control/devices', stack.urls.page), { headers: { authorization: `Bearer ${stack.adminKey}` } });
    if (r.status !== 200) throw new Error(`devices: ${r.status} ${await r.text()}`);
    return (await r.json()) as DeviceHealthReport;
  };
  const rejectedOf = (r: DeviceHealthReport, id: string) => r.gateways.flatMap((g) => g.devices).find((d) => d.deviceId === id)?.rejected;

  beforeAll(async () => {
    stack = await startStack({ site: miniSite, logger: pino({ level: 'silent' }), edge: { flushEvery: 50 } });
    radar = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-1');
  });
  afterAll(async () => {
    await browser?.close();
    radar?.end(true);
    await stack?.stop();
  });

  it('an invalid payload shows as 1 rejected message against its device, with the reason', async () => {
    const before = await devices();
    expect(rejectedOf(before, 'radar-hall-1')).toEqual({ count: 0, topReason: null });
    await publish(radar, topicOf('mini', 'radar-hall-1', 'count'), { ts: T0 + 1000, seq: 1, periodS: 30, in: -1, out: 0 });
    await expect.poll(async () => rejectedOf(await devices(), 'radar-hall-1'), POLL).toEqual({ count: 1, topReason: 'invalid_payload' });
    const after = await devices();
    // nobody else is blamed, and nothing was refused under an id the site does not have
    expect(after.gateways.flatMap((g) => g.devices).filter((d) => d.deviceId !== 'radar-hall-1').every((d) => d.rejected.count === 0)).toBe(true);
    expect(after.gateways.map((g) => g.rejectedUnknown)).toEqual(after.gateways.map(() => ({ count: 0, topReason: null })));
  });

  it('the Devices page shows the count with its top reason, and says since when', async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(context, stack.urls.page, 'admin', stack.adminPassword);
    const page = await context.newPage();
    await page.goto(new URL('devices.html', stack.urls.page).href);
    const cell = page.locator('tr[data-device="radar-hall-1"] td[data-rejected]');
    await expect.poll(() => cell.textContent(), POLL).toBe('1mostly invalid payload');
    expect(await page.locator('tr[data-device="env-hall"] td[data-rejected]').textContent()).toBe('0');
    expect(await page.locator('#devices-summary').textContent()).toMatch(/refused since the cloud started \(.+\)/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
