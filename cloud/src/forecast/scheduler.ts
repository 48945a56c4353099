import type { Logger } from 'pino';

/**
 * Time and timers as one injectable dependency: the real clock in production, a simulated one
 * for an accelerated demo (its setTimeout divides by the speed), a hand-stepped one in tests.
 */
export interface TimerClock {
  now(): number;
  /** `fn` after `ms` of this clock's time */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type Wake = 'hourly' | 'wake';

export interface HourlyScheduler {
  /** Runs the task now (unless `runAtStart` is false), then every period at `offsetMs` past the boundary. */
  start(): void;
  /** Cancels the timers and waits for a run in progress. */
  stop(): Promise<void>;
  /** An extra run at `at` (clock time) with reason 'wake', e.g. when quiet hours end; the earliest pending wake wins. */
  wakeAt(at: number): void;
}

/**
 * Calls `task` every hour, a little after the hour so the hour just ended is in the store (edge
 * lateness is seconds). Runs never overlap: a tick that comes while one runs is skipped, the next
 * hour catches up. A failing run is logged and retried at the next tick, never thrown.
 */
export function createHourlyScheduler(deps: {
  clock: TimerClock;
  task: (now: number, reason: Wake) => Promise<unknown>;
  logger: Logger;
  periodMs?: number;
  offsetMs?: number;
  runAtStart?: boolean;
}): HourlyScheduler {
  const period = deps.periodMs ?? 3_600_000;
  const offset = deps.offsetMs ?? 120_000;
  let tick: unknown = null;
  let wake: { at: number; handle: unknown } | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  const run = (reason: Wake) => {
    if (running || stopped) return;
    const now = deps.clock.now();
    running = deps
      .task(now, reason)
      .then(
        () => undefined,
        (err: unknown) => deps.logger.error({ err, reason }, 'scheduled forecast work failed; retrying at the next tick'),
      )
      .finally(() => (running = null));
  };

  const scheduleTick = () => {
    if (stopped) return;
    const now = deps.clock.now();
    let next = Math.floor(now / period) * period + offset;
    if (next <= now) next += period;
    tick = deps.clock.setTimeout(() => {
      run('hourly');
      scheduleTick();
    }, next - now);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      if (deps.runAtStart ?? true) run('hourly');
      scheduleTick();
    },
    async stop() {
      stopped = true;
      if (tick !== null) deps.clock.clearTimeout(tick);
      if (wake) deps.clock.clearTimeout(wake.handle);
      tick = null;
      wake = null;
      await running;
    },
    wakeAt(at) {
      if (stopped || (wake && wake.at <= at)) return;
      if (wake) deps.clock.clearTimeout(wake.handle);
      const handle = deps.clock.setTimeout(() => {
        wake = null;
        run('wake');
      }, Math.max(0, at - deps.clock.now()));
      wake = { at, handle };
    },
  };
}
