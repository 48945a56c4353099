import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHourlyScheduler, type Wake } from '../../src/forecast/scheduler.ts';
import { manualClock } from '../support/forecast-fixtures.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 2, 17, 9, 40);
const silent = pino({ level: 'silent' });

describe('hourly scheduler', () => {
  it('runs at start, then a little after every hour, plus an extra wake when asked', async () => {
    const clock = manualClock(T0);
    const runs: [number, Wake][] = [];
    const s = createHourlyScheduler({ clock, logger: silent, offsetMs: 2 * 60_000, task: async (now, why) => void runs.push([now, why]) });
    s.start();
    await clock.advance(0);
    await clock.advance(2 * H);
    s.wakeAt(T0 + 2 * H + 30 * 60_000);
    s.wakeAt(T0 + 3 * H); // a later wake than the pending one changes nothing
    await clock.advance(H);
    expect(runs).toEqual([
      [T0, 'hourly'],
      [Date.UTC(2025, 2, 17, 10, 2), 'hourly'],
      [Date.UTC(2025, 2, 17, 11, 2), 'hourly'],
      [Date.UTC(2025, 2, 17, 12, 2), 'hourly'],
      [T0 + 2 * H + 30 * 60_000, 'wake'],
    ]);
    await s.stop();
    expect(clock.pending()).toBe(0);
  });

  it('never overlaps runs, survives a failing run, and stop() waits for the run in progress', async () => {
    const clock = manualClock(T0);
    let release: () => void = () => undefined;
    let calls = 0;
    let finished = 0;
    const s = createHourlyScheduler({
      clock,
      logger: silent,
      task: async () => {
        calls++;
        if (calls === 1) throw new Error('store down');
        if (calls === 2) await new Promise<void>((r) => (release = r));
        finished++;
      },
    });
    s.start();
    await clock.advance(30 * 60_000); // first run failed; the 10:02 tick starts a slow one
    expect(calls).toBe(2);
    await clock.advance(H); // 11:02: the slow run is still going, so this tick is skipped
    expect(calls).toBe(2);
    const stopped = s.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(1);
  });
});
