import type { OperatorCalendar } from './operator-calendar.ts';
import { forecastSeries, type SeriesForecast } from './series-forecast.ts';
import type { HourlySeries } from './series.ts';

/**
 * Where the refresh's forecasts are computed: a port, so the model stays plain functions and
 * the thread it runs on is an adapter. The cloud uses a worker thread (worker-compute.ts);
 * `inlineCompute` runs on the caller's thread in bounded slices.
 */
export interface ComputeJob {
  /** wall-clock hour of the first forecast hour */
  origin: number;
  /** forecast hours from `origin` */
  slots: number;
  calendar: OperatorCalendar;
  histories: HourlySeries[];
}

export interface ForecastCompute {
  /** One forecast per history, in order. The histories may be handed to another thread: do not read them afterwards. */
  run(job: ComputeJob): Promise<SeriesForecast[]>;
  /** Frees the thread, if any; jobs still waiting are refused. */
  close(): Promise<void>;
}

/** The job itself, synchronously: what any adapter runs. */
export function computeForecasts(job: ComputeJob): SeriesForecast[] {
  return job.histories.map((h) => forecastSeries(h, job.origin, job.slots, job.calendar));
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * On this thread, giving the event loop a turn whenever a slice has run `sliceMs` (one series
 * takes a few ms, so nothing waits much longer than that). `sliceMs: Infinity` never yields:
 * how the refresh ran before the worker, kept as the bench's baseline.
 */
export function inlineCompute(opts: { sliceMs?: number } = {}): ForecastCompute {
  const sliceMs = opts.sliceMs ?? 10;
  return {
    async run(job) {
      const out: SeriesForecast[] = [];
      let sliceStart = performance.now();
      for (const h of job.histories) {
        out.push(forecastSeries(h, job.origin, job.slots, job.calendar));
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
      return out;
    },
    close: async () => undefined,
  };
}
