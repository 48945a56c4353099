import { createHash } from 'node:crypto';
import type { FootfallMinute, MinuteUplink, SiteModel, Subject, Uplink } from '@atrium/shared';
import { createFootfallModel, dwellMinutes, rateIn, type FootfallOptions } from './profile/expected-rate.ts';
import type { DayContext } from './profile/calendar.ts';
import type { Holiday } from './profile/holidays.ts';
import { subjectKey } from './profile/weights.ts';
import { normal, poisson, rngFor } from './random.ts';

/**
 * History for a demo mall that has none: N weeks of hourly footfall per radar, drawn from the
 * simulator's own expected-rate profile (the Melbourne week shape, trading hours, holidays,
 * events) with realistic noise, as ordinary minute uplinks the cloud stores like any other.
 * Without it a freshly started demo has nothing to forecast from.
 *
 * Each record covers a whole hour (`spanMinutes: 60`, starting on the hour) so 16 weeks of the
 * demo mall are ~470k records rather than 28M minute rows. Uplink ids are derived from the seed
 * and the range, so running the same backfill twice stores it once (the ledger sees duplicates).
 *
 * Noise: Poisson counts around the expected rate, times a day factor for the whole site
 * (weather, school holidays: log-normal, sd `dayNoise`) and a smaller one per place and day.
 */
export interface BackfillOptions {
  /** history ends here (exclusive, moved down to the hour), e.g. the simulator's start */
  end: number;
  /** default 16 */
  weeks?: number;
  seed?: number;
  /** events, extra holidays, visitor volume: the same options the simulator takes */
  footfall?: FootfallOptions;
  gatewayId?: string;
  /** footfall records per uplink (default 20 000; the schema allows 50 000) */
  batchRecords?: number;
  /** sd of the log of the site-wide day factor (default 0.08); places get half of it on top */
  dayNoise?: number;
}

export interface BackfillResult {
  from: number;
  to: number;
  uplinks: number;
  records: number;
  /** uplinks the sink already had (a re-run) */
  duplicates: number;
  /** public holidays inside the range: seed the cloud's calendar with these so the forecaster knows them */
  holidays: Holiday[];
}

/** What the backfill writes to: the cloud's series store satisfies it. */
export interface UplinkSink {
  writeUplink(uplink: Uplink, receivedAt: number): Promise<{ stored: boolean }>;
  counts(siteId: string): Promise<{ footfallRecords: number }>;
}

const HOUR = 3_600_000;
const QUARTERS = [0.125, 0.375, 0.625, 0.875];

function uplinkId(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  // Version 8 (custom) and the RFC 4122 variant, so it is a valid UUID to every parser.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function backfillRange(opts: Pick<BackfillOptions, 'end' | 'weeks'>): { from: number; to: number } {
  const to = Math.floor(opts.end / HOUR) * HOUR;
  return { from: to - (opts.weeks ?? 16) * 7 * 24 * HOUR, to };
}

/** The uplinks, in time order, plus the holidays met on the way. */
export function* backfillUplinks(site: SiteModel, opts: BackfillOptions): Generator<MinuteUplink, Holiday[]> {
  const { from, to } = backfillRange(opts);
  const seed = opts.seed ?? 1;
  const batch = Math.min(50_000, opts.batchRecords ?? 20_000);
  const dayNoise = opts.dayNoise ?? 0.08;
  const gatewayId = opts.gatewayId ?? 'backfill';
  const model = createFootfallModel(site, opts.footfall);
  const floorOf = new Map(site.zones.map((z) => [z.id, z.floorId]));
  const radars = site.devices.filter((d) => d.kind === 'radar');
  const sharing = new Map<string, number>();
  for (const d of radars) {
    const k = subjectKey(d.subject ?? { kind: 'zone', id: d.zoneId });
    sharing.set(k, (sharing.get(k) ?? 0) + 1);
  }
  const units = radars.map((d) => {
    const subject: Subject = d.subject ?? { kind: 'zone', id: d.zoneId };
    return { device: d, subject, share: sharing.get(subjectKey(subject)) ?? 1, rng: rngFor(seed, 'backfill', d.id), dwell: dwellMinutes(model, subject) };
  });
  const dayRng = rngFor(seed, 'backfill', 'days');
  const placeDay = new Map<string, number>();
  let siteDay = { date: '', factor: 1 };
  const holidays = new Map<string, Holiday>();

  let records: FootfallMinute[] = [];
  let first = from;
  let seq = 0;
  const flush = (upTo: number): MinuteUplink => {
    const u: MinuteUplink = { v: 1, id: uplinkId('atrium-backfill', site.id, seed, first, upTo, seq++), siteId: site.id, gatewayId, sentAt: upTo, kind: 'minute', footfall: records, env: [] };
    records = [];
    first = upTo;
    return u;
  };

  for (let t = from; t < to; t += HOUR) {
    const ctxs: DayContext[] = QUARTERS.map((q) => model.calendar.at(t + q * HOUR));
    const ctx = ctxs[0]!;
    if (ctx.holiday) holidays.set(ctx.holiday.date, ctx.holiday);
    if (ctx.local.date !== siteDay.date) {
      siteDay = { date: ctx.local.date, factor: Math.exp(normal(dayRng, 0, dayNoise)) };
      placeDay.clear();
    }
    for (const u of units) {
      const key = subjectKey(u.subject);
      let place = placeDay.get(key);
      if (place === undefined) placeDay.set(key, (place = Math.exp(normal(u.rng, 0, dayNoise / 2))));
      const rate = ctxs.reduce((s, c) => s + rateIn(model, u.subject, c), 0) / ctxs.length;
      const n = poisson(u.rng, (rate * siteDay.factor * place) / u.share);
      const samples = Math.round(3600 / u.device.reportIntervalS);
      // Little's law for the people in view, with the hour's own rate: good enough for a history.
      const occupancy = (rate * siteDay.factor * place * u.dwell) / 60 / u.share;
      records.push({
        deviceId: u.device.id,
        floorId: floorOf.get(u.device.zoneId) ?? '',
        zoneId: u.device.zoneId,
        minute: t,
        spanMinutes: 60,
        subjectKind: u.subject.kind,
        subjectId: u.subject.id,
        in: n,
        out: n,
        samples,
        occupancySum: Math.round(occupancy * samples * 100) / 100,
        occupancyCount: samples,
        occupancyMax: Math.ceil(occupancy * 1.5),
      });
    }
    if (records.length >= batch) yield flush(t + HOUR);
  }
  if (records.length > 0) yield flush(to);
  return [...holidays.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Writes the backfill into `sink`; safe to re-run (the same uplinks are recognised as duplicates). */
export async function backfillHistory(sink: UplinkSink, site: SiteModel, opts: BackfillOptions): Promise<BackfillResult> {
  const { from, to } = backfillRange(opts);
  const gen = backfillUplinks(site, opts);
  let uplinks = 0;
  let records = 0;
  let duplicates = 0;
  for (;;) {
    const next = gen.next();
    if (next.done) return { from, to, uplinks, records, duplicates, holidays: next.value };
    const { stored } = await sink.writeUplink(next.value, next.value.sentAt);
    // An embedded store answers in microtasks: without a turn here the live devices' keep-alives
    // wait for the whole backfill.
    await new Promise((resolve) => setImmediate(resolve));
    uplinks++;
    records += next.value.footfall.length;
    if (!stored) duplicates++;
  }
}

/** The stack-start hook: backfills only a store without any footfall for this site; null when it had some. */
export async function backfillIfEmpty(sink: UplinkSink, site: SiteModel, opts: BackfillOptions): Promise<BackfillResult | null> {
  const { footfallRecords } = await sink.counts(site.id);
  if (footfallRecords > 0) return null;
  return backfillHistory(sink, site, opts);
}
