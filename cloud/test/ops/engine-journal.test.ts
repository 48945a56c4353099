import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Uplink } from '@atrium/shared';
import { openPglite } from '../../src/db/pglite.ts';
import { createDispatchService } from '../../src/ops/dispatch-service.ts';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { eventually } from '../../../tests/support/device.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';

/**
 * The engine is stored as a snapshot now and then plus the journal of the steps since. A cloud
 * that dies between a step and the next snapshot comes back in exactly the state it had: the
 * restroom counter keeps the visits it had counted, the roster the person added.
 */
const T0 = Date.UTC(2026, 0, 12, 0, 0, 0);
const MIN = 60_000;
const RULES = JSON.stringify({
  version: 1,
  rules: [{ id: 'wc-visits', kind: 'counter', subjects: { zoneIds: ['wc'] }, raiseAt: 10, alarm: { type: 'restroom_cleaning', severity: 'major' } }],
});
const visits = (n: number, minute: number): Uplink =>
  Uplink.parse({
    v: 1, id: randomUUID(), siteId: miniSite.id, gatewayId: 'gw-1', sentAt: T0 + (minute + 1) * MIN, kind: 'minute', env: [],
    footfall: [{ deviceId: 'radar-wc', floorId: 'g', zoneId: 'wc', minute: T0 + minute * MIN, subjectKind: 'zone', subjectId: 'wc', in: n, out: 0, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 }],
  });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(dir: string, now: { t: number }) {
  const db = await openPglite(dir);
  const store = await createSqlOpsStore(db, { siteId: miniSite.id, ownsClient: true });
  // Snapshots only at start and stop: every step in between lives in the journal alone.
  const service = createDispatchService({ site: miniSite, store, logger: pino({ level: 'silent' }), clock: () => now.t, rulesText: RULES, tickEveryMs: 60_000, snapshotEveryMs: 600_000 });
  await service.start();
  return { store, service };
}

describe('the engine journal', () => {
  it('brings back the exact state after a crash between a step and the next snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-journal-'));
    dirs.push(dir);
    const now = { t: T0 };
    const first = await open(dir, now);
    for (let m = 0; m < 3; m++) {
      now.t = T0 + (m + 1) * MIN;
      first.service.observeUplink(visits(2, m));
    }
    await eventually(() => expect(first.service.snapshot().rules.subjects['wc-visits']?.['zone:wc']).toMatchObject({ count: 6 }));
    const added = await first.service.command({ kind: 'upsert_staff', staff: { id: 'cl-1', name: 'Cleaner One', roles: ['cleaner'], shifts: [{ from: T0, to: T0 + 8 * 3600_000 }], zoneId: 'wc', available: true } });
    expect(added.ok).toBe(true);
    const before = first.service.snapshot();
    // The crash: the database keeps what was committed; the service never gets to snapshot on stop.
    await first.store.close();

    const second = await open(dir, now);
    expect(second.service.snapshot()).toEqual(before);
    // And it carries on from there: four more visits make the ten that raise the alarm.
    now.t = T0 + 5 * MIN;
    second.service.observeUplink(visits(4, 4));
    await eventually(() => expect(second.service.status().openAlarms).toBe(1));
    await second.service.stop();
    await second.store.close();
    await first.service.stop().catch(() => undefined);
  });

  it('writes a step as its journal entry and effects, not as the whole state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-journal-'));
    dirs.push(dir);
    const now = { t: T0 };
    const db = await openPglite(dir);
    const store = await createSqlOpsStore(db, { siteId: miniSite.id, ownsClient: true });
    const written: Array<{ journal: number; snapshot: boolean }> = [];
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'record') return Reflect.get(target, prop, receiver);
        return (batch: Parameters<typeof store.record>[0]) => {
          written.push({ journal: batch.journal?.length ?? 0, snapshot: batch.snapshot !== undefined });
          return target.record(batch);
        };
      },
    });
    const service = createDispatchService({ site: miniSite, store: counting, logger: pino({ level: 'silent' }), clock: () => now.t, rulesText: RULES, tickEveryMs: 60_000, snapshotEveryMs: 600_000 });
    await service.start();
    written.length = 0;
    for (let m = 0; m < 5; m++) {
      now.t = T0 + (m + 1) * MIN;
      service.observeUplink(visits(1, m));
      await eventually(() => expect(written.length).toBe(m + 1));
    }
    expect(written).toEqual(Array.from({ length: 5 }, () => ({ journal: 1, snapshot: false })));
    await service.stop();
    expect(written.at(-1)).toEqual({ journal: 0, snapshot: true });
    const reopened = await store.loadSnapshot();
    expect(reopened?.journal).toEqual([]);
    await store.close();
  });
});
