import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { backfillHistory, victorianHolidays } from '@atrium/firmware-sim';
import type { Cloud } from '@atrium/cloud';

/**
 * A fresh demo has no past, so it would have no forecasts, peak alerts or staffing plan for
 * weeks. This writes `weeks` of hourly footfall shaped like the simulator's own (straight into
 * the series store: history, not live data, so no rule sees it), puts the public holidays in
 * the calendar and runs the first forecast.
 *
 * The history ends exactly where the simulated mall starts, and the plan is kept beside the
 * data until it is done: a demo stopped while it was being written writes the same hours again
 * at the next start (the backfill's uplink ids are derived from the plan, so what is already
 * stored is recognised, not added), and never any other hours.
 */
const Plan = z.object({ end: z.number().int(), weeks: z.number().int().positive(), done: z.boolean() });
type Plan = z.infer<typeof Plan>;

const planPath = (dataDir: string) => `${dataDir}/demo-history.json`;

function save(dataDir: string, plan: Plan): void {
  const path = planPath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(plan)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/**
 * The history this run must write: an unfinished plan of an earlier run, else `fresh` (a data
 * directory without any footfall yet: `end` is where the simulator starts), else none.
 */
export function historyToWrite(dataDir: string, fresh: { end: number; weeks: number } | null): Omit<Plan, 'done'> | null {
  const path = planPath(dataDir);
  if (existsSync(path)) {
    const plan = Plan.parse(JSON.parse(readFileSync(path, 'utf8')));
    return plan.done ? null : { end: plan.end, weeks: plan.weeks };
  }
  if (!fresh) return null;
  save(dataDir, { ...fresh, done: false });
  return fresh;
}

/** `dataDir`: where the plan of npm start is kept (marked done at the end); without it nothing is kept. */
export async function seedDemoHistory(cloud: Cloud, site: SiteModel, p: { dataDir?: string; end: number; weeks: number; now: () => number; logger: Logger }): Promise<void> {
  const t0 = Date.now();
  p.logger.info({ weeks: p.weeks }, 'writing demo history for the forecasts (runs in the background)');
  // Small uplinks: the embedded store writes each in one blocking transaction, and the live
  // mall shares the event loop (20,000 records held it for ~5 s and devices missed keep-alives).
  const result = await backfillHistory(cloud.store, site, { end: p.end, weeks: p.weeks, batchRecords: 2_000 });
  const year = new Date(p.end).getUTCFullYear();
  const holidays = [...result.holidays, ...victorianHolidays(year), ...victorianHolidays(year + 1)];
  const unique = [...new Map(holidays.map((h) => [h.date, h])).values()];
  await cloud.forecasting.calendar.ensure(unique.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })), 'demo', Date.now());
  if (p.dataDir !== undefined) save(p.dataDir, { end: p.end, weeks: p.weeks, done: true });
  const summary = await cloud.forecasting.cycle(p.now());
  p.logger.info({ records: result.records, already: result.duplicates, seconds: Math.round((Date.now() - t0) / 1000), forecasts: summary?.series }, 'demo history written; forecasts ready');
}
