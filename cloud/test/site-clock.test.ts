import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { SiteClockReading } from '@atrium/shared';
import type { Cloud } from '../src/index.ts';
import { createSiteClock } from '../src/live/site-clock.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { startTestCloud } from './support/test-cloud.ts';

const ADMIN = 'atr_site-clock-admin-key-0123456789abcdef';
const SPEED = 60;

/**
 * Pages count SLA deadlines down on the site's clock, which in a demo runs 60× the wall: the
 * cloud tells them where that clock is and how fast it runs, measured rather than assumed.
 */
describe('the site clock pages count on', () => {
  let cloud: Cloud;
  let base: string;
  const startedAt = performance.now();
  const t0 = Date.UTC(2026, 5, 6, 10, 0);
  const siteNow = () => Math.floor(t0 + (performance.now() - startedAt) * SPEED);

  beforeAll(async () => {
    ({ cloud, base } = await startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN }, miniSite, { clock: siteNow }));
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  const read = async () => {
    const res = await fetch(`${base}/api/v1/clock`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    return SiteClockReading.parse(await res.json());
  };

  it('gives the simulated time, the rate it runs at and the site time zone', async () => {
    await expect.poll(async () => (await read()).rate, { timeout: 10_000, interval: 250 }).toBeGreaterThan(SPEED * 0.95);
    const r = await read();
    expect(r.rate).toBeLessThan(SPEED * 1.05);
    expect(r.timeZone).toBe(miniSite.timezone);
    // within a second of real time of the clock the engine runs on
    expect(Math.abs(r.now - siteNow())).toBeLessThan(SPEED * 1_000);
  });

  it('refuses a caller who is not signed in', async () => {
    expect((await fetch(`${base}/api/v1/clock`)).status).toBe(401);
  });

  it('reaches a page over the socket as soon as it connects', async () => {
    const socket: Socket = io(base, { transports: ['websocket'], auth: { key: ADMIN } });
    try {
      const reading = await new Promise<unknown>((resolve, reject) => {
        socket.once('clock', resolve);
        socket.once('connect_error', reject);
      });
      expect(SiteClockReading.parse(reading).timeZone).toBe(miniSite.timezone);
    } finally {
      socket.close();
    }
  });
});

describe('a restarted cloud', () => {
  it('tells the pages its rate as soon as it has measured it, not at the next beat', async () => {
    let real = 0;
    const beats: number[] = [];
    const clock = createSiteClock({ clock: () => 1_000_000 + real * SPEED, timeZone: 'Europe/London', realNow: () => real, sampleEveryMs: 5, beatEvery: 100_000 });
    try {
      clock.onBeat((r) => beats.push(r.rate));
      expect(clock.reading().rate).toBe(1); // nothing measured yet: what a page connecting now hears
      real = 1_000;
      await expect.poll(() => beats, { timeout: 5_000, interval: 10 }).toEqual([SPEED]);
    } finally {
      clock.stop();
    }
  });
});

describe('a live site', () => {
  it('runs at exactly the wall clock rate', () => {
    let real = 0;
    const clock = createSiteClock({ clock: () => 1_000_000 + real, timeZone: 'Europe/London', realNow: () => real });
    try {
      real = 5_000;
      expect(clock.reading()).toEqual({ now: 1_005_000, rate: 1, timeZone: 'Europe/London' });
    } finally {
      clock.stop();
    }
  });

  it('takes the rate its owner tells, at once, when the demo switches to its closed-hours speed', () => {
    let real = 0;
    let speed = 10;
    const clock = createSiteClock({ clock: () => 1_000_000 + real * speed, timeZone: 'Europe/London', realNow: () => real, rate: () => speed });
    try {
      real = 100;
      speed = 120;
      expect(clock.reading().rate).toBe(120);
    } finally {
      clock.stop();
    }
  });
});
