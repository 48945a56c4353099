import { describe, expect, it } from 'vitest';
import { Uplink, type MinuteUplink } from '@atrium/shared';
import { backfillHistory, backfillUplinks } from '../src/backfill.ts';
import { buildDemoMall } from '../src/mall/build.ts';
import { createFootfallModel, expectedRate } from '../src/profile/expected-rate.ts';

const site = buildDemoMall();
const H = 3_600_000;
// Two weeks ending Wednesday 2025-03-12 00:00 UTC; Labour Day (Mon 10 March) is inside.
const END = Date.UTC(2025, 2, 12);

function collect(opts: Parameters<typeof backfillUplinks>[1]): { uplinks: MinuteUplink[]; holidays: { date: string; name: string }[] } {
  const gen = backfillUplinks(site, opts);
  const uplinks: MinuteUplink[] = [];
  for (;;) {
    const n = gen.next();
    if (n.done) return { uplinks, holidays: n.value };
    uplinks.push(n.value);
  }
}

describe('demo history backfill', () => {
  const { uplinks, holidays } = collect({ end: END + 17 * 60_000, weeks: 2, seed: 5 });
  const radars = site.devices.filter((d) => d.kind === 'radar');
  const records = uplinks.flatMap((u) => u.footfall);

  it('produces valid minute uplinks: one hourly record per radar and hour, ending at the hour before `end`', () => {
    for (const u of uplinks) expect(Uplink.safeParse(u).success).toBe(true);
    expect(records).toHaveLength(radars.length * 14 * 24);
    const hours = [...new Set(records.map((r) => r.minute))].sort((a, b) => a - b);
    expect(hours[0]).toBe(END - 14 * 24 * H);
    expect(hours.at(-1)).toBe(END - H);
    expect(records.every((r) => r.spanMinutes === 60 && r.minute % H === 0)).toBe(true);
  });

  it("follows the simulator's expected rates (with noise) and is reproducible from the seed", () => {
    const model = createFootfallModel(site);
    let expected = 0;
    let counted = 0;
    const entrance = radars.find((d) => d.subject?.kind === 'entrance')!;
    for (const r of records.filter((x) => x.deviceId === entrance.id)) {
      counted += r.in;
      for (const q of [0.125, 0.375, 0.625, 0.875]) expected += expectedRate(model, entrance.subject!, r.minute + q * H) / 4;
    }
    expect(counted / expected).toBeGreaterThan(0.9);
    expect(counted / expected).toBeLessThan(1.1);
    // 03:00 in Melbourne: the doors are shut, (almost) nobody comes in.
    const night = records.filter((r) => new Date(r.minute + 11 * H).getUTCHours() === 3);
    expect(night.reduce((s, r) => s + r.in, 0)).toBeLessThan(night.length);
    const again = collect({ end: END, weeks: 2, seed: 5 });
    expect(again.uplinks.map((u) => u.id)).toEqual(uplinks.map((u) => u.id));
    expect(again.uplinks[1]!.footfall).toEqual(uplinks[1]!.footfall);
    expect(collect({ end: END, weeks: 2, seed: 6 }).uplinks[1]!.footfall).not.toEqual(uplinks[1]!.footfall);
  });

  it('returns the public holidays it met, for the cloud calendar', () => {
    expect(holidays).toEqual([{ date: '2025-03-10', name: 'Labour Day' }]);
  });

  it('writes through any uplink sink and is a no-op when run again', async () => {
    // A sink that only remembers ids: the cloud's real store is exercised in cloud/test/forecast/backfill.test.ts.
    const seen = new Set<string>();
    const sink = {
      writeUplink: async (u: Uplink) => {
        const stored = !seen.has(u.id);
        seen.add(u.id);
        return { stored };
      },
      counts: async () => ({ footfallRecords: seen.size }),
    };
    const first = await backfillHistory(sink, site, { end: END, weeks: 1 });
    expect(first).toMatchObject({ uplinks: expect.any(Number), records: radars.length * 7 * 24, duplicates: 0 });
    const second = await backfillHistory(sink, site, { end: END, weeks: 1 });
    expect(second.duplicates).toBe(second.uplinks);
  });
});
