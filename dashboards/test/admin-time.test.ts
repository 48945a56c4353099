import { describe, expect, it } from 'vitest';
// The admin page's own module (plain browser JS with JSDoc types, checked by dashboards/test/tsconfig.public.json).
import * as t from '../public/admin-time.js';

const MEL = 'Australia/Melbourne';
const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso);

describe('site-local shift times', () => {
  it('reads a date and time on the site clock, whatever the screen’s own zone', () => {
    // Melbourne is UTC+11 in summer (AEDT) and UTC+10 in winter (AEST)
    expect(t.siteTimeToEpoch('2026-01-15', '09:00', MEL)).toEqual({ ms: at('2026-01-14T22:00:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-07-15', '09:00', MEL)).toEqual({ ms: at('2026-07-14T23:00:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-07-15', '09:00', NY)).toEqual({ ms: at('2026-07-15T13:00:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-07-15', '09:00', 'UTC')).toEqual({ ms: at('2026-07-15T09:00:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-07-15', '09:00', 'Asia/Kolkata')).toEqual({ ms: at('2026-07-15T03:30:00Z'), dst: null });
  });

  it('moves a time the clocks skip forward by the gap, and says so', () => {
    // Melbourne 2026-10-04: 02:00 AEST becomes 03:00 AEDT
    expect(t.siteTimeToEpoch('2026-10-04', '02:30', MEL)).toEqual({ ms: at('2026-10-03T16:30:00Z'), dst: 'skipped' });
    expect(t.epochToSiteTime(at('2026-10-03T16:30:00Z'), MEL)).toEqual({ date: '2026-10-04', time: '03:30' });
    expect(t.siteTimeToEpoch('2026-10-04', '01:59', MEL)).toEqual({ ms: at('2026-10-03T15:59:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-10-04', '03:00', MEL)).toEqual({ ms: at('2026-10-03T16:00:00Z'), dst: null });
    // New York 2026-03-08: 02:00 EST becomes 03:00 EDT
    expect(t.siteTimeToEpoch('2026-03-08', '02:15', NY)).toEqual({ ms: at('2026-03-08T07:15:00Z'), dst: 'skipped' });
  });

  it('takes the first of a time the clocks repeat, and says so', () => {
    // Melbourne 2026-04-05: 03:00 AEDT becomes 02:00 AEST, so 02:00–02:59 happen twice
    expect(t.siteTimeToEpoch('2026-04-05', '02:30', MEL)).toEqual({ ms: at('2026-04-04T15:30:00Z'), dst: 'repeated' });
    expect(t.siteTimeToEpoch('2026-04-05', '03:00', MEL)).toEqual({ ms: at('2026-04-04T17:00:00Z'), dst: null });
    expect(t.siteTimeToEpoch('2026-04-05', '01:59', MEL)).toEqual({ ms: at('2026-04-04T14:59:00Z'), dst: null });
    // New York 2026-11-01: 01:00–01:59 happen twice
    expect(t.siteTimeToEpoch('2026-11-01', '01:30', NY)).toEqual({ ms: at('2026-11-01T05:30:00Z'), dst: 'repeated' });
  });

  it('round-trips every hour (at half past) of a year in a zone with daylight saving', () => {
    const start = at('2026-01-01T00:30:00Z');
    const wrong: string[] = [];
    for (let ms = start; ms < start + 365 * 86_400_000; ms += 3_600_000) {
      const w = t.epochToSiteTime(ms, MEL);
      const back = t.siteTimeToEpoch(w.date, w.time, MEL);
      // the second of a repeated hour reads back as the first; everything else exactly
      const fine = back?.dst === 'repeated' ? ms - back.ms === 0 || ms - back.ms === 3_600_000 : back?.ms === ms && back.dst === null;
      if (!fine) wrong.push(`${new Date(ms).toISOString()} → ${w.date} ${w.time} → ${JSON.stringify(back)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses what is not a date or a time', () => {
    expect(t.siteTimeToEpoch('2026-02-30', '09:00', MEL)).toBeNull();
    expect(t.siteTimeToEpoch('26-02-01', '09:00', MEL)).toBeNull();
    expect(t.siteTimeToEpoch('2026-02-01', '24:00', MEL)).toBeNull();
    expect(t.siteTimeToEpoch('2026-02-01', '9:00', MEL)).toBeNull();
  });

  it('builds a shift across the night the clocks go back, nine hours long', () => {
    const r = t.shiftFromInputs({ fromDate: '2026-04-04', fromTime: '22:00', toDate: '2026-04-05', toTime: '06:00' }, MEL);
    expect(r).toEqual({
      ok: true,
      shift: { from: at('2026-04-04T11:00:00Z'), to: at('2026-04-04T20:00:00Z') },
      notes: ['The clocks change during this shift: it lasts 9 h, not 8 h.'],
    });
    if (!r.ok) return;
    expect(t.shiftLabel(r.shift, MEL)).toBe('Sat 4 Apr 2026, 22:00 – Sun 5 Apr 2026, 06:00 (9 h)');
    expect(t.shiftToInputs(r.shift, MEL)).toEqual({ fromDate: '2026-04-04', fromTime: '22:00', toDate: '2026-04-05', toTime: '06:00' });
  });

  it('builds a shift across the night the clocks go forward, seven hours long, naming a skipped start', () => {
    const r = t.shiftFromInputs({ fromDate: '2026-10-04', fromTime: '02:30', toDate: '2026-10-04', toTime: '10:00' }, MEL);
    expect(r.ok && r.shift).toEqual({ from: at('2026-10-03T16:30:00Z'), to: at('2026-10-03T23:00:00Z') });
    expect(r.ok && r.notes).toEqual([
      '02:30 does not exist on Sun 4 Oct 2026 (the clocks go forward): the shift starts at 03:30.',
      'The clocks change during this shift: it lasts 6 h 30 min, not 7 h 30 min.',
    ]);
  });

  it('names the input that is wrong', () => {
    const ok = { fromDate: '2026-05-01', fromTime: '09:00', toDate: '2026-05-01', toTime: '17:00' };
    expect(t.shiftFromInputs(ok, MEL)).toMatchObject({ ok: true, notes: [] });
    expect(t.shiftFromInputs({ ...ok, fromDate: '' }, MEL)).toEqual({ ok: false, field: 'fromDate', message: 'The start date is missing.' });
    expect(t.shiftFromInputs({ ...ok, toTime: '25:00' }, MEL)).toEqual({ ok: false, field: 'toTime', message: 'The end time “25:00” is not a time (HH:MM).' });
    expect(t.shiftFromInputs({ ...ok, toTime: '09:00' }, MEL)).toEqual({ ok: false, field: 'toTime', message: 'The shift must end after it starts.' });
  });

  it('writes times, offsets and lengths for people', () => {
    expect(t.siteTimeLabel(at('2026-12-03T03:05:00Z'), MEL)).toBe('Thu 3 Dec 2026, 14:05 (GMT+11)');
    expect(t.siteTimeLabel(at('2026-07-03T03:05:00Z'), MEL)).toBe('Fri 3 Jul 2026, 13:05 (GMT+10)');
    expect(t.shiftLabel({ from: at('2026-05-01T23:00:00Z'), to: at('2026-05-02T07:30:00Z') }, MEL)).toBe('Sat 2 May 2026, 09:00 – 17:30 (8 h 30 min)');
    expect([t.durationLabel(45 * 60_000), t.durationLabel(3_600_000), t.durationLabel(49 * 3_600_000)]).toEqual(['45 min', '1 h', '49 h']);
    expect(t.siteToday(at('2026-12-31T14:00:00Z'), MEL)).toBe('2027-01-01');
    expect([t.addDays('2026-12-31', 1), t.addDays('2026-03-01', -1)]).toEqual(['2027-01-01', '2026-02-28']);
    expect([t.isKnownZone(MEL), t.isKnownZone('Mars/Olympus_Mons')]).toEqual([true, false]);
  });
});
