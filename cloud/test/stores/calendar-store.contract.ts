import { describe, expect, it } from 'vitest';
import { createCalendarStore } from '../../src/calendar/calendar-store.ts';
import type { StoreDbFixture } from './fixture.ts';

const AT = Date.UTC(2025, 2, 10, 0, 30);

/** The operator calendar (calendar/calendar-store.ts) as the calendar API and the forecaster rely on it. */
export function calendarStoreContract(name: string, fixture: StoreDbFixture) {
  describe(`calendar store contract: ${name}`, () => {
    const open = async (siteId = 'fc-mall') => createCalendarStore((await fixture.fresh()).db, siteId);

    it('gives back a saved event and holiday with who added them and when; a missing factor stays unknown', async () => {
      const cal = await open();
      const sale = await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event', factor: 1.8 }, 'ops', AT);
      const holiday = await cal.add({ date: '2025-03-10', name: 'Labour Day', kind: 'holiday' }, 'ops', AT + 1);
      expect(sale).toEqual({ id: sale.id, date: '2025-03-15', name: 'Autumn sale', kind: 'event', factor: 1.8, createdAt: AT, createdBy: 'ops' });
      expect(holiday.factor).toBeNull();
      expect(await cal.list()).toEqual([holiday, sale]); // by date
    });

    it('refuses the same date, kind and name twice with a stable code; another kind or name that day is fine', async () => {
      const cal = await open();
      await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }, 'ops', AT);
      const again = await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event', factor: 2 }, 'ops', AT).then(() => null, (e: unknown) => e as Error & { code: string; statusCode: number });
      expect(again).toMatchObject({ code: 'ATRIUM_CALENDAR_ENTRY_EXISTS', statusCode: 409 });
      expect(again?.message).toContain('event "Autumn sale" on 2025-03-15');
      await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'holiday' }, 'ops', AT);
      await cal.add({ date: '2025-03-15', name: 'Concert', kind: 'event' }, 'ops', AT);
      expect((await cal.list()).map((e) => [e.kind, e.name])).toEqual([['event', 'Autumn sale'], ['holiday', 'Autumn sale'], ['event', 'Concert']]);
    });

    it('lists a date range with both ends included', async () => {
      const cal = await open();
      for (const date of ['2025-02-28', '2025-03-01', '2025-03-31', '2025-04-01']) await cal.add({ date, name: `day ${date}`, kind: 'event' }, 'ops', AT);
      expect((await cal.list({ from: '2025-03-01', to: '2025-03-31' })).map((e) => e.date)).toEqual(['2025-03-01', '2025-03-31']);
      expect((await cal.list({ from: '2025-03-31' })).map((e) => e.date)).toEqual(['2025-03-31', '2025-04-01']);
      expect((await cal.list({ to: '2025-02-28' })).map((e) => e.date)).toEqual(['2025-02-28']);
    });

    it('ensures a list of holidays: adds only the missing ones, however often it runs, and leaves edited ones alone', async () => {
      const cal = await open();
      const holidays = [
        { date: '2025-01-01', name: "New Year's Day", kind: 'holiday' as const },
        { date: '2025-01-27', name: 'Australia Day', kind: 'holiday' as const },
      ];
      await cal.add({ ...holidays[0]!, factor: 0.5 }, 'ops', AT); // the operator's own, with a factor
      expect(await cal.ensure(holidays, 'backfill', AT + 1)).toBe(1);
      expect(await cal.ensure(holidays, 'backfill', AT + 2)).toBe(0);
      expect(await cal.ensure([], 'backfill', AT + 3)).toBe(0);
      expect((await cal.list()).map((e) => [e.name, e.factor, e.createdBy])).toEqual([["New Year's Day", 0.5, 'ops'], ['Australia Day', null, 'backfill']]);
    });

    it('removes an entry once; the same date can then be added again', async () => {
      const cal = await open();
      const e = await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }, 'ops', AT);
      expect(await cal.remove(e.id)).toBe(true);
      expect(await cal.remove(e.id)).toBe(false);
      expect(await cal.list()).toEqual([]);
      await cal.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }, 'ops', AT);
    });

    it("keeps each site's calendar to itself on a shared database: not listed, not removable, no clash", async () => {
      const { db } = await fixture.fresh();
      const mall = createCalendarStore(db, 'fc-mall');
      const other = createCalendarStore(db, 'other-mall');
      const e = await mall.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }, 'ops', AT);
      expect(await other.list()).toEqual([]);
      expect(await other.remove(e.id)).toBe(false);
      await other.add({ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }, 'ops', AT);
      expect(await other.ensure([{ date: '2025-03-15', name: 'Autumn sale', kind: 'event' }], 'x', AT)).toBe(0);
      expect(await mall.list()).toEqual([e]);
    });
  });
}
