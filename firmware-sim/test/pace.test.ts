import { describe, expect, it } from 'vitest';
import { createPace } from '../src/runtime/pace.ts';

const HOUR = 3_600_000;
/** Trading from 10:00 to 21:00 of every (UTC) day. */
const trading = (t: number) => {
  const h = (t % (24 * HOUR)) / HOUR;
  return h >= 10 && h < 21;
};

describe('the demo pace', () => {
  it('runs at the trading speed while open and the closed speed at night, never backwards', () => {
    const pace = createPace(20 * HOUR, 0, { speed: 10, closedSpeed: 120, trading });
    expect(pace.target(1_000, 20 * HOUR)).toBe(20 * HOUR + 10_000);
    expect(pace.rate(20 * HOUR)).toBe(10);
    // 20:00 → 21:00 at 10× is 6 real minutes; the 13-hour night at 120× another 6.5
    let clock = 20 * HOUR;
    const run = (untilReal: number, fromReal: number) => {
      for (let real = fromReal; real <= untilReal; real += 200) {
        const next = pace.target(real, clock);
        expect(next).toBeGreaterThanOrEqual(clock);
        clock = next;
      }
    };
    run(12 * 60_000, 1_200);
    expect(pace.rate(clock)).toBe(120);
    expect(clock).toBeLessThan(34 * HOUR);
    run(13 * 60_000, 12 * 60_000 + 200);
    expect(pace.rate(clock)).toBe(10);
    expect(clock).toBeGreaterThanOrEqual(34 * HOUR);
    expect(clock).toBeLessThan(34 * HOUR + 10 * 60_000);
  });

  it('slows instead of racing ahead of a simulator that cannot keep up', () => {
    const pace = createPace(0, 0, { speed: 100, trading: () => true, maxLeadMs: 60_000 });
    // nothing produced for ten real seconds: the clock waits a minute ahead of what was produced
    expect(pace.target(10_000, 0)).toBe(60_000);
    expect(pace.target(20_000, 0)).toBe(60_000);
    // and moves on at its speed once the simulator caught up
    expect(pace.target(21_000, 60_000)).toBe(120_000);
  });
});
