import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openPglite } from '../../src/db/pglite.ts';
import { createDispatchService, RULES_FILE_ACTOR } from '../../src/ops/dispatch-service.ts';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';

/**
 * Which rules run after a restart when they were edited through the API and the rules file is
 * still there: the newest edit wins, whichever way it came (README, "Rules"). A cloud restart
 * is a new dispatch service on the same database with the rules file read again.
 */
const T0 = Date.UTC(2026, 0, 12, 0, 0, 0);
const rulesText = (raiseAt: number) =>
  JSON.stringify({ version: 1, rules: [{ id: 'wc-visits', kind: 'counter', subjects: { zoneIds: ['wc'] }, raiseAt, alarm: { type: 'restroom_cleaning', severity: 'major' } }] });

let db: Awaited<ReturnType<typeof openPglite>>;
beforeAll(async () => {
  db = await openPglite('memory://');
});
afterAll(async () => db?.close());

async function startCloud(fileText: string) {
  const store = await createSqlOpsStore(db, { siteId: miniSite.id });
  const service = createDispatchService({ site: miniSite, store, logger: pino({ level: 'silent' }), clock: () => T0, rulesText: fileText, tickEveryMs: 60_000, snapshotEveryMs: 60_000 });
  await service.start();
  return { store, service, stop: () => service.stop() };
}

describe('the rules the site runs after a restart', () => {
  it('keeps an API edit while the file is unchanged, and takes the file once someone edits it', async () => {
    const first = await startCloud(rulesText(10));
    expect((await first.store.currentRules())?.savedBy).toBe(RULES_FILE_ACTOR);
    const edit = await first.service.reloadRules(rulesText(25), 'admin');
    expect(edit.ok).toBe(true);
    await first.stop();

    // Same file as before: the operator's edit is the newest and stays.
    const second = await startCloud(rulesText(10));
    expect(await second.store.currentRules()).toMatchObject({ text: rulesText(25), savedBy: 'admin' });
    await second.stop();

    // The file was edited while the cloud was down: the file is now the newest edit.
    const third = await startCloud(rulesText(40));
    expect(await third.store.currentRules()).toMatchObject({ text: rulesText(40), savedBy: RULES_FILE_ACTOR });
    expect((await third.store.rulesHistory(10)).map((v) => v.savedBy)).toEqual([RULES_FILE_ACTOR, 'admin', RULES_FILE_ACTOR]);
    await third.stop();
  });
});
