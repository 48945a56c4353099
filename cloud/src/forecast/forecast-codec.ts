import type { ForecastHour, SeriesRun } from '@atrium/shared';

/**
 * One series' hours of one run as the forecast store keeps them: two byte strings instead of a
 * row per hour or SQL arrays of numbers. The embedded engine spends microseconds turning each
 * float into text and back, which made a run of 1,490 series seconds of the main thread to
 * write and again to read; bytes cross as base64 the database decodes in one C loop.
 *
 * Layout, in network byte order (what PostgreSQL's int4send/float8send produce, so migration 11
 * could build it in SQL):
 * - `leads`: one int32 per hour, ascending: hours after `hour0`, the start of the hour the run
 *   was made in (t = hour0 + lead·1 h);
 * - `vals`: per hour, in the same order, six float64: mean, lo80, hi80, lo95, hi95, usual
 *   (NaN for a null usual).
 */
export const MS_PER_HOUR = 3_600_000;
const FIELDS = 6;
const HOUR_BYTES = FIELDS * 8;

export interface EncodedHours {
  hour0: number;
  /** the first hour kept (what the prune's index on it finds); hour0 when there is none */
  firstT: number;
  leads: Buffer;
  vals: Buffer;
}

/** The values of one hour, as `atLead` serves them. */
export interface HourValues {
  mean: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

/** A series' hours in lead order. Every hour must be a whole number of hours after the same hour0: a lead is counted from the run's hour. */
export function encodeHours(run: Pick<SeriesRun, 'subjectKind' | 'subjectId' | 'hours'>): EncodedHours {
  const hours = [...run.hours].sort((a, b) => a.leadH - b.leadH);
  const first = hours[0];
  const hour0 = first ? first.t - first.leadH * MS_PER_HOUR : 0;
  const leads = Buffer.alloc(hours.length * 4);
  const vals = Buffer.alloc(hours.length * HOUR_BYTES);
  hours.forEach((h, k) => {
    if (h.t !== hour0 + h.leadH * MS_PER_HOUR) throw new Error(`forecast store: ${run.subjectKind} "${run.subjectId}" has hour ${h.t} at lead ${h.leadH}, not ${h.leadH} h after ${hour0}`);
    leads.writeInt32BE(h.leadH, k * 4);
    const at = k * HOUR_BYTES;
    vals.writeDoubleBE(h.mean, at);
    vals.writeDoubleBE(h.lo80, at + 8);
    vals.writeDoubleBE(h.hi80, at + 16);
    vals.writeDoubleBE(h.lo95, at + 24);
    vals.writeDoubleBE(h.hi95, at + 32);
    vals.writeDoubleBE(h.usual ?? Number.NaN, at + 40);
  });
  return { hour0, firstT: first ? first.t : hour0, leads, vals };
}

const leadCount = (leads: Buffer) => leads.length >>> 2;

export function decodeHours(hour0: number, leads: Buffer, vals: Buffer): ForecastHour[] {
  const out: ForecastHour[] = [];
  for (let k = 0; k < leadCount(leads); k++) {
    const leadH = leads.readInt32BE(k * 4);
    const at = k * HOUR_BYTES;
    const usual = vals.readDoubleBE(at + 40);
    out.push({
      t: hour0 + leadH * MS_PER_HOUR, leadH,
      mean: vals.readDoubleBE(at), lo80: vals.readDoubleBE(at + 8), hi80: vals.readDoubleBE(at + 16), lo95: vals.readDoubleBE(at + 24), hi95: vals.readDoubleBE(at + 32),
      usual: Number.isNaN(usual) ? null : usual,
    });
  }
  return out;
}

/** The hour at `leadH`, or null when the run has none (not forecast that far, or pruned). */
export function hourAtLead(leads: Buffer, vals: Buffer, leadH: number): HourValues | null {
  for (let k = 0; k < leadCount(leads); k++) {
    if (leads.readInt32BE(k * 4) !== leadH) continue;
    const at = k * HOUR_BYTES;
    return { mean: vals.readDoubleBE(at), lo80: vals.readDoubleBE(at + 8), hi80: vals.readDoubleBE(at + 16), lo95: vals.readDoubleBE(at + 24), hi95: vals.readDoubleBE(at + 32) };
  }
  return null;
}

/** Only the hours `keep` accepts (by lead and time), in the same layout. */
export function keepHours(hour0: number, leads: Buffer, vals: Buffer, keep: (leadH: number, t: number) => boolean): EncodedHours {
  const kept: number[] = [];
  for (let k = 0; k < leadCount(leads); k++) {
    const leadH = leads.readInt32BE(k * 4);
    if (keep(leadH, hour0 + leadH * MS_PER_HOUR)) kept.push(k);
  }
  const outLeads = Buffer.alloc(kept.length * 4);
  const outVals = Buffer.alloc(kept.length * HOUR_BYTES);
  kept.forEach((k, j) => {
    leads.copy(outLeads, j * 4, k * 4, k * 4 + 4);
    vals.copy(outVals, j * HOUR_BYTES, k * HOUR_BYTES, (k + 1) * HOUR_BYTES);
  });
  const firstLead = kept.length > 0 ? outLeads.readInt32BE(0) : null;
  return { hour0, firstT: firstLead === null ? hour0 : hour0 + firstLead * MS_PER_HOUR, leads: outLeads, vals: outVals };
}
