/**
 * How fast the simulated clock runs against the real one. A demo wants the trading day slow
 * enough for a person to take a job (`speed`) and the closed hours over quickly (`closedSpeed`),
 * so the rate depends on whether the mall is open at the simulated instant. The clock is
 * integrated tick by tick (a fixed start + elapsed × speed cannot change speed) and only ever
 * moves forward.
 */
export interface PaceOptions {
  /** sim ms per real ms while the mall trades */
  speed: number;
  /** sim ms per real ms while it is closed; default `speed` */
  closedSpeed?: number | undefined;
  /** whether the mall trades at this simulated instant */
  trading: (simMs: number) => boolean;
  /**
   * How far (sim ms) the clock may run ahead of what was produced. A simulator that cannot
   * keep up then runs slower instead of racing later to catch up: at a closed-hours speed the
   * machine cannot hold, the trading day that follows would otherwise start at that speed too.
   * Default: no bound (a simulator behind catches up as fast as it can).
   */
  maxLeadMs?: number | undefined;
}

export interface Pace {
  /** The clock's target at real time `realMs`, given what was produced up to `producedMs`. */
  target(realMs: number, producedMs: number): number;
  /** sim ms per real ms at `simMs` */
  rate(simMs: number): number;
}

export function createPace(start: number, realStart: number, opts: PaceOptions): Pace {
  const closed = opts.closedSpeed ?? opts.speed;
  if (!(opts.speed > 0) || !(closed > 0)) throw new RangeError(`speeds must be positive, got ${opts.speed} and ${closed}`);
  const rate = (simMs: number) => (closed === opts.speed || opts.trading(simMs) ? opts.speed : closed);
  let clock = start;
  let lastReal = realStart;
  return {
    rate,
    target(realMs, producedMs) {
      const dt = Math.max(0, realMs - lastReal);
      lastReal = realMs;
      // A tick is a fraction of a second, so one that crosses opening overshoots by seconds of sim time at most.
      const next = clock + dt * rate(clock);
      clock = Math.max(clock, Math.min(next, producedMs + (opts.maxLeadMs ?? Number.POSITIVE_INFINITY)));
      return clock;
    },
  };
}
