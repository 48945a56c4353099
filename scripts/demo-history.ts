import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { backfillHistory, victorianHolidays } from '@atrium/firmware-sim';
import type { Cloud } from '@atrium/cloud';

/**
 * A fresh demo has no past, so it would have no forecasts, peak alerts or staffing plan for
 * weeks. This writes `weeks` of hourly footfall shaped like the simulator's own (straight into
 * the series store: history, not live data, so no rule sees it), puts the public holidays in
 * the calendar and runs the first forecast. Only for a store without any footfall yet.
 */
export async function seedDemoHistory(cloud: Cloud, site: SiteModel, p: { end: number; weeks: number; now: () => number; logger: Logger }): Promise<void> {
  const t0 = Date.now();
  p.logger.info({ weeks: p.weeks }, 'writing demo history for the forecasts (runs in the background)');
  const result = await backfillHistory(cloud.store, site, { end: p.end, weeks: p.weeks });
  const year = new Date(p.end).getUTCFullYear();
  const holidays = [...result.holidays, ...victorianHolidays(year), ...victorianHolidays(year + 1)];
  const unique = [...new Map(holidays.map((h) => [h.date, h])).values()];
  await cloud.forecasting.calendar.ensure(unique.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })), 'demo', Date.now());
  const summary = await cloud.forecasting.cycle(p.now());
  p.logger.info({ records: result.records, seconds: Math.round((Date.now() - t0) / 1000), forecasts: summary?.series }, 'demo history written; forecasts ready');
}
