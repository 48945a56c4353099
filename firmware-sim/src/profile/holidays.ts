/**
 * Victorian public holidays, computed from the rules rather than listed, so a simulation can
 * start in any year. Checked against the state's published list for 2012-2015 (test). The
 * AFL Grand Final eve (from 2015) is set by the AFL fixture each year and is not computed.
 */
export interface Holiday {
  date: string;
  name: string;
}

const iso = (y: number, m: number, d: number): string => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday

/** Day of month of the n-th given weekday (0 = Sunday) of a month. */
function nthWeekday(y: number, m: number, dow: number, n: number): number {
  const first = weekday(y, m, 1);
  return 1 + ((dow - first + 7) % 7) + 7 * (n - 1);
}

/** Easter Sunday (anonymous Gregorian algorithm) as [month, day]. */
export function easterSunday(y: number): [number, number] {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

export function victorianHolidays(y: number): Holiday[] {
  const out: Holiday[] = [];
  const add = (m: number, d: number, name: string) => out.push({ date: iso(y, m, d), name });

  add(1, 1, "New Year's Day");
  const ny = weekday(y, 1, 1);
  if (ny === 0 || ny === 6) add(1, ny === 6 ? 3 : 2, "New Year's Day (observed)");

  const au = weekday(y, 1, 26);
  if (au === 0 || au === 6) add(1, au === 6 ? 28 : 27, 'Australia Day (observed)');
  else add(1, 26, 'Australia Day');

  add(3, nthWeekday(y, 3, 1, 2), 'Labour Day');

  const [em, ed] = easterSunday(y);
  add(em, ed - 2, 'Good Friday');
  add(em, ed - 1, 'Easter Saturday');
  if (y >= 2016) add(em, ed, 'Easter Sunday');
  add(em, ed + 1, 'Easter Monday');

  add(4, 25, 'Anzac Day');
  add(6, nthWeekday(y, 6, 1, 2), y >= 2023 ? "King's Birthday" : "Queen's Birthday");
  add(11, nthWeekday(y, 11, 2, 1), 'Melbourne Cup');

  // Christmas and Boxing Day move to the following weekdays when they fall on a weekend.
  add(12, 25, 'Christmas Day');
  const xmas = weekday(y, 12, 25);
  if (xmas === 6) {
    add(12, 27, 'Christmas Day (observed)');
    add(12, 28, 'Boxing Day (observed)');
  } else if (xmas === 0) {
    add(12, 26, 'Boxing Day');
    add(12, 27, 'Christmas Day (observed)');
  } else if (xmas === 5) {
    add(12, 28, 'Boxing Day (observed)');
  } else {
    add(12, 26, 'Boxing Day');
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** Days on which Victorian law keeps most shops shut all day. */
export const isShopClosingHoliday = (h: Holiday): boolean => h.name === 'Good Friday' || h.name === 'Christmas Day';

/** Holiday lookup by local date, memoised per year. */
export function createHolidayCalendar(extra: readonly Holiday[] = []): (date: string) => Holiday | undefined {
  const byYear = new Map<number, Map<string, Holiday>>();
  const extraByDate = new Map(extra.map((h) => [h.date, h]));
  return (date) => {
    const fromExtra = extraByDate.get(date);
    if (fromExtra) return fromExtra;
    const y = Number(date.slice(0, 4));
    let year = byYear.get(y);
    if (!year) {
      year = new Map(victorianHolidays(y).map((h) => [h.date, h]));
      byYear.set(y, year);
    }
    return year.get(date);
  };
}
