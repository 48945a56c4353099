import { describe, expect, it } from 'vitest';
import { isHoliday, parseCalendarLines } from '../../src/forecast/calendar.ts';
import { parseDay } from '../../src/forecast/clock.ts';

describe('holiday calendar', () => {
  it('loads date,name rows', async () => {
    const cal = await parseCalendarLines(['date,name', "2014-12-25,Christmas Day", "2014-12-26,Boxing Day"]);
    expect(cal.holidays.size).toBe(2);
    expect(isHoliday(cal, parseDay('2014-12-25') as number)).toBe(true);
    expect(isHoliday(cal, parseDay('2014-12-24') as number)).toBe(false);
  });

  it('refuses a bad date, naming the line and the field', async () => {
    await expect(parseCalendarLines(['date,name', '2014-12-25,Christmas Day', '25/12/2014,Boxing Day'], 'holidays.csv')).rejects.toThrow(
      /holidays\.csv line 3, field "date": expected a date as YYYY-MM-DD/,
    );
    await expect(parseCalendarLines(['date,name', '2014-12-25,'])).rejects.toThrow(/line 2, field "name": holiday name is empty/);
  });
});
