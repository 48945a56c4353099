import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../src/http/app.ts';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { createUsers } from '../../src/ops/users.ts';
import { DAY, H, fcSite, forecastApp, openHarness, pattern, writeHourly, type FcHarness } from '../support/forecast-fixtures.ts';
import { rng } from './synthetic.ts';
import type { StaffMember } from '@atrium/shared';

// Monday 2025-03-10 00:30 UTC = 11:30 in Melbourne. API keys come from the real operational store.
const M1 = Date.UTC(2025, 2, 10, 0, 30);
const M1_HOUR = Date.UTC(2025, 2, 10, 0);
const M2 = M1 + 48 * H;

describe('forecast, calendar and staffing API', () => {
  let h: FcHarness;
  let app: ApiApp;
  const keys = { operator: '', merchant: '' };
  const roster: StaffMember[] = [];

  beforeAll(async () => {
    h = await openHarness({ roster: async () => roster });
    const users = createUsers(await createSqlOpsStore(h.sql, { siteId: fcSite.id, ownsClient: false }), fcSite);
    keys.operator = (await users.create({ userId: 'ops', role: 'operator', }, M1)).key;
    keys.merchant = (await users.create({ userId: 'brew', role: 'merchant', merchantId: 'brewco' }, M1)).key;
    // Ten weeks of history and the four days that followed (what "actually happened").
    const noise = rng(3);
    await writeHourly(h.store, 'r-hall', M1 - 70 * DAY, M1_HOUR + 96 * H, (t) => Math.round(pattern(100)(t) * (0.9 + 0.2 * noise())));
    await writeHourly(h.store, 'r-food', M1 - 70 * DAY, M1_HOUR + 96 * H, pattern(300));
    await h.forecasting.cycle(M1);
    await h.forecasting.cycle(M2);
    app = await forecastApp(h, users.principalByKeyHash);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const call = (who: keyof typeof keys, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${keys[who]}` }, ...(payload ? { payload } : {}) });

  it('serves the forecast made 24 h and 72 h earlier next to what was counted', async () => {
    const from = M1_HOUR + 20 * H;
    const res = await call('operator', 'GET', `/api/v1/forecasts/zone/hall/vs-actual?from=${from}&to=${M1_HOUR + 76 * H}`);
    expect(res.statusCode).toBe(200);
    const { hours } = res.json() as { hours: { t: number; actual: number | null; made24h: { madeAt: number; mean: number } | null; made72h: { madeAt: number } | null }[] };
    expect(hours).toHaveLength(56);
    const row = (t: number) => hours.find((x) => x.t === t)!;
    // The run made at M1 forecast M1's hour + 24 h at lead 24 and + 72 h at lead 72; the run at M2 (48 h later) + 72 h at lead 24.
    expect(row(M1_HOUR + 24 * H).made24h?.madeAt).toBe(M1);
    expect(row(M1_HOUR + 72 * H).made72h?.madeAt).toBe(M1);
    expect(row(M1_HOUR + 72 * H).made24h?.madeAt).toBe(M2);
    expect(row(M1_HOUR + 25 * H).made24h).toBeNull(); // no run was made in that hour
    // Tuesday 13:00 local (02:00 UTC): the lunch peak, forecast and counted.
    const lunch = row(Date.UTC(2025, 2, 11, 2));
    expect(lunch.actual).toBeGreaterThan(240);
    expect(lunch.made24h).toBeNull();
    expect(hours.filter((x) => x.actual !== null).length).toBeGreaterThan(40);
  });

  it('scores live accuracy as WAPE over the forecasts it kept', async () => {
    const from = M1_HOUR + 24 * H;
    const { hours, accuracy } = (await call('operator', 'GET', `/api/v1/forecasts/zone/hall/vs-actual?from=${from}&to=${M1_HOUR + 96 * H}`)).json() as {
      hours: { actual: number | null; made24h: { mean: number } | null }[];
      accuracy: { wape24h: number; hours24h: number; subjectId: string };
    };
    // Accuracy looks back 4 weeks from the clock: here, the real time is long after, so score over the same window directly.
    const scored = hours.filter((x) => x.actual !== null && x.made24h !== null);
    expect(scored.length).toBeGreaterThan(0);
    const wape = scored.reduce((s, x) => s + Math.abs(x.actual! - x.made24h!.mean), 0) / scored.reduce((s, x) => s + x.actual!, 0);
    const live = await h.forecasting.reports.accuracy({ now: M1_HOUR + 96 * H, subjectKind: 'zone', subjectId: 'hall' });
    expect(live[0]!.hours24h).toBe(scored.length);
    expect(live[0]!.wape24h).toBeCloseTo(wape, 10);
    expect(accuracy.subjectId).toBe('hall');
    const all = (await call('operator', 'GET', '/api/v1/forecasts/accuracy?subjectKind=zone')).json() as { subjectId: string }[];
    expect(Array.isArray(all)).toBe(true);
  });

  it('lets the operator list, add and delete calendar entries, refusing bad ones with the field named', async () => {
    const added = await call('operator', 'POST', '/api/v1/calendar', { date: '2025-03-15', name: 'Autumn sale', kind: 'event', factor: 1.8 });
    expect(added.statusCode).toBe(201);
    const entry = added.json() as { id: number; createdBy: string };
    expect(entry.createdBy).toBe('ops');
    expect((await call('operator', 'POST', '/api/v1/calendar', { date: '2025-03-15', name: 'Autumn sale', kind: 'event' })).json().code).toBe('ATRIUM_CALENDAR_ENTRY_EXISTS');
    const bad = await call('operator', 'POST', '/api/v1/calendar', { date: '2025-02-30', name: 'Nope', kind: 'holiday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/date.*calendar date/);
    expect((await call('operator', 'POST', '/api/v1/calendar', { date: '2025-03-16', name: 'x', kind: 'party' })).statusCode).toBe(400);
    const listed = (await call('merchant', 'GET', '/api/v1/calendar?from=2025-03-01&to=2025-03-31')).json() as { id: number }[];
    expect(listed.map((e) => e.id)).toEqual([entry.id]);
    expect((await call('operator', 'DELETE', `/api/v1/calendar/${entry.id}`)).statusCode).toBe(204);
    expect((await call('operator', 'DELETE', `/api/v1/calendar/${entry.id}`)).json().code).toBe('ATRIUM_CALENDAR_ENTRY_NOT_FOUND');
    expect((await call('operator', 'GET', '/api/v1/calendar')).json()).toEqual([]);
  });

  it('validates subscriptions and keeps the webhook secret when an update leaves it out', async () => {
    const base = { threshold: { kind: 'aboveUsual', percent: 40 }, leadTimesH: [24, 72, 2], quietHours: { from: '22:00', to: '08:00' } };
    const noSecret = await call('merchant', 'POST', '/api/v1/shops/coffee/subscriptions', { ...base, webhook: { url: 'https://brew.example/hook' } });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.json().message).toContain('webhook.secret');
    expect((await call('merchant', 'POST', '/api/v1/shops/coffee/subscriptions', { ...base, leadTimesH: [0] })).statusCode).toBe(400);
    expect((await call('merchant', 'POST', '/api/v1/shops/coffee/subscriptions', { ...base, quietHours: { from: '22:00', to: '22:00' } })).statusCode).toBe(400);
    const created = await call('merchant', 'POST', '/api/v1/shops/coffee/subscriptions', { ...base, webhook: { url: 'https://brew.example/hook', secret: 'sixteen-chars-or-more' } });
    expect(created.statusCode).toBe(201);
    const sub = created.json() as { id: number; leadTimesH: number[]; merchantId: string; webhook: { hasSecret: boolean } };
    expect(sub).toMatchObject({ leadTimesH: [72, 24, 2], merchantId: 'brewco', webhook: { url: 'https://brew.example/hook', hasSecret: true } });
    const updated = await call('merchant', 'PUT', `/api/v1/shops/coffee/subscriptions/${sub.id}`, { ...base, webhook: { url: 'https://brew.example/hook2' } });
    expect(updated.json()).toMatchObject({ webhook: { url: 'https://brew.example/hook2', hasSecret: true } });
    expect(await h.forecasting.subscriptions.secretOf(sub.id)).toBe('sixteen-chars-or-more');
    expect((await call('merchant', 'DELETE', `/api/v1/shops/coffee/subscriptions/${sub.id}`)).statusCode).toBe(204);
  });

  it('serves the staffing plan from the newest zone forecasts next to the roster', async () => {
    const hour = Math.floor(M2 / H) * H;
    // One cleaner on the ground floor for the whole 72 h; one guard with no known zone.
    roster.push(
      { siteId: fcSite.id, id: 'cl-1', name: 'Cleaner One', roles: ['cleaner'], shifts: [{ from: hour, to: hour + 80 * H }], zoneId: 'hall', available: true },
      { siteId: fcSite.id, id: 'gd-1', name: 'Guard One', roles: ['security'], shifts: [{ from: hour, to: hour + 80 * H }], zoneId: null, available: true },
    );
    const res = await call('operator', 'GET', '/api/v1/staffing/plan');
    expect(res.statusCode).toBe(200);
    const plan = res.json() as { forecastMadeAt: number; hours: { t: number; open: boolean; site: { cleaners: { recommended: number; rostered: number; gap: number } }; floors: { floorId: string; cleaners: { rostered: number } }[]; unplaced: { security: number } }[] };
    expect(plan.forecastMadeAt).toBe(M2);
    expect(plan.hours).toHaveLength(72);
    const first = plan.hours[0]!;
    expect(first.floors.map((f) => f.floorId)).toEqual(['g', 'l1']);
    expect(first.floors.find((f) => f.floorId === 'g')!.cleaners.rostered).toBe(1);
    expect(first.unplaced.security).toBe(1);
    expect(first.site.cleaners.gap).toBe(first.site.cleaners.recommended - 1);
    expect(plan.hours.some((x) => x.open) && plan.hours.some((x) => !x.open)).toBe(true);
    expect((await call('merchant', 'GET', '/api/v1/staffing/plan')).statusCode).toBe(403);
  });
});
