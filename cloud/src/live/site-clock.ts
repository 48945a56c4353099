import type { SiteClockReading } from '@atrium/shared';

export interface SiteClock {
  reading(): SiteClockReading;
  /** a reading every `beatEvery` samples (10 s by default), for pages to resynchronise */
  onBeat(listener: (reading: SiteClockReading) => void): void;
  stop(): void;
}

export interface SiteClockOptions {
  /** the site clock the engine runs on (the simulator's in an accelerated demo) */
  clock: () => number;
  timeZone: string;
  /**
   * The clock's own rate when its owner knows it (a simulator switching between its open and
   * closed speeds); measuring over the window would lag such a switch by up to the window.
   */
  rate?: () => number;
  /** a monotonic real clock in ms; default performance.now */
  realNow?: () => number;
  /** how often to sample; default 1 s */
  sampleEveryMs?: number;
  /** how many samples the rate is measured over; default 30 */
  window?: number;
  /** samples between beats; default 10 */
  beatEvery?: number;
}

/**
 * The site clock with its measured rate. The rate is measured, not configured: a demo asked
 * for 60× that falls behind runs at 58×, and a countdown that assumed 60 would drift from the
 * SLA timer it shows. Until two samples a second apart exist the rate is 1.
 */
export function createSiteClock(opts: SiteClockOptions): SiteClock {
  const realNow = opts.realNow ?? (() => performance.now());
  const size = opts.window ?? 30;
  const samples: Array<{ real: number; site: number }> = [];
  const listeners: Array<(r: SiteClockReading) => void> = [];
  let count = 0;
  let measured = false;
  const sample = () => {
    samples.push({ real: realNow(), site: opts.clock() });
    if (samples.length > size) samples.shift();
    // The first measured rate goes out at once: a page that connected in the first second
    // (a restarted cloud) was told 1 and would count at that until the next beat.
    const firstRate = !measured && realNow() - samples[0]!.real >= 1_000;
    measured ||= firstRate;
    if ((++count % (opts.beatEvery ?? 10) === 0 || firstRate) && listeners.length > 0) {
      const r = reading();
      for (const l of listeners) l(r);
    }
  };
  const reading = (): SiteClockReading => {
    const now = opts.clock();
    const first = samples[0]!;
    const realSpan = realNow() - first.real;
    const told = opts.rate?.() ?? 0;
    const measured = told > 0 ? told : realSpan >= 1_000 ? (now - first.site) / realSpan : 1;
    return { now, rate: roundRate(measured), timeZone: opts.timeZone };
  };
  sample();
  const timer = setInterval(sample, opts.sampleEveryMs ?? 1_000);
  timer.unref();
  return { reading, onBeat: (l) => void listeners.push(l), stop: () => clearInterval(timer) };
}

/** Three significant figures, and exactly 1 near 1: a live site's clock is the wall clock. */
function roundRate(r: number): number {
  if (!Number.isFinite(r) || r <= 0) return 1;
  if (Math.abs(r - 1) < 0.01) return 1;
  return Number(r.toPrecision(3));
}
