import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { openPg } from '../../src/db/pg.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createGatewayCredentials, ensureGatewayCredential } from '../../src/ingest/gateway-credentials.ts';
import { startPostgres } from '../support/postgres.ts';

const refusal = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err as Error & { code: string; statusCode: number });
const T = Date.UTC(2026, 0, 5, 10, 0);

/** One contract for the gateway credential store on every engine. */
function gatewayCredentialsContract(name: string, fixture: { fresh(): Promise<SqlClient>; durable(): Promise<{ db: SqlClient; reopen(): Promise<SqlClient> }> }) {
  describe(`gateway credentials: ${name}`, () => {
    // Starting an engine (and migrating it) is the slow part: done once, in the hook's longer time limit.
    beforeAll(() => fixture.fresh().then(() => undefined), 120_000);
    const open = async (siteId = 'mini') => createGatewayCredentials(await fixture.fresh(), siteId);

    it('shows a new password once and keeps only what checks it: the right one opens, any other does not', async () => {
      const store = await open();
      const password = await store.add('gw-a', { now: T });
      expect(password).toMatch(/^atg_[\w-]{43}$/);
      expect(await store.verify('gw-a', password)).toEqual({ outcome: 'ok', generation: 1 });
      expect(await store.verify('gw-a', Buffer.from(password))).toEqual({ outcome: 'ok', generation: 1 });
      expect(await store.verify('gw-a', `${password}x`)).toEqual({ outcome: 'wrong_password' });
      expect(await store.verify('gw-a', undefined)).toEqual({ outcome: 'wrong_password' });
      expect(await store.verify('gw-b', password)).toEqual({ outcome: 'not_provisioned' });
      expect(await store.list()).toEqual([{ siteId: 'mini', gatewayId: 'gw-a', disabled: false, generation: 1, createdAt: T, updatedAt: T }]);
      const rows = await (await fixture.fresh()).query<Record<string, unknown>>('select * from gateway_credentials');
      expect(JSON.stringify(rows.rows)).not.toContain(password);
    });

    it('refuses a second add and a short chosen password with stable codes; takes a long chosen one', async () => {
      const store = await open();
      await store.add('gw-a');
      expect(await refusal(store.add('gw-a'))).toMatchObject({ code: 'ATRIUM_GATEWAY_EXISTS', statusCode: 409 });
      expect(await refusal(store.add('gw-b', { password: 'too-short' }))).toMatchObject({ code: 'ATRIUM_INVALID_REQUEST' });
      const chosen = 'c'.repeat(32);
      expect(await store.add('gw-b', { password: chosen })).toBe(chosen);
      expect((await store.verify('gw-b', chosen)).outcome).toBe('ok');
    });

    it('rotates (the old password stops working) and disables (refused whatever it sends) and enables', async () => {
      const store = await open();
      const first = await store.add('gw-a', { now: T });
      const second = await store.rotate('gw-a', T + 1);
      expect(await store.verify('gw-a', first)).toEqual({ outcome: 'wrong_password' });
      expect(await store.verify('gw-a', second)).toEqual({ outcome: 'ok', generation: 2 });
      await store.setDisabled('gw-a', true, T + 2);
      expect(await store.verify('gw-a', second)).toEqual({ outcome: 'disabled' });
      await store.setDisabled('gw-a', false, T + 3);
      expect(await store.get('gw-a')).toMatchObject({ disabled: false, generation: 2, createdAt: T, updatedAt: T + 3 });
      expect(await refusal(store.rotate('gw-z'))).toMatchObject({ code: 'ATRIUM_GATEWAY_NOT_PROVISIONED', statusCode: 404 });
      expect(await refusal(store.setDisabled('gw-z', true))).toMatchObject({ code: 'ATRIUM_GATEWAY_NOT_PROVISIONED' });
    });

    it("keeps sites apart: another site's gateway of the same id is another credential", async () => {
      const mini = await open('mini');
      const other = createGatewayCredentials(await fixture.fresh(), 'other');
      const password = await mini.add('gw-a');
      expect(await other.verify('gw-a', password)).toEqual({ outcome: 'not_provisioned' });
      expect(await other.list()).toEqual([]);
    });

    it("ensures an installer's own password without overriding an operator's rotation or disable", async () => {
      const store = await open();
      const kept = 'k'.repeat(40);
      expect(await ensureGatewayCredential(store, 'gw-a', kept)).toBe('added');
      expect(await ensureGatewayCredential(store, 'gw-a', kept)).toBe('ready');
      await store.rotate('gw-a');
      expect(await ensureGatewayCredential(store, 'gw-a', kept)).toBe('rotated');
      await store.setDisabled('gw-a', true);
      expect(await ensureGatewayCredential(store, 'gw-a', kept)).toBe('disabled');
    });

    it('keeps credentials across a restart', { timeout: 120_000 }, async () => {
      const { db, reopen } = await fixture.durable();
      const password = await createGatewayCredentials(db, 'mini').add('gw-a');
      await db.close();
      const again = await reopen();
      try {
        expect((await createGatewayCredentials(again, 'mini').verify('gw-a', password)).outcome).toBe('ok');
      } finally {
        await again.close();
      }
    });
  });
}

const dirs: string[] = [];
const pglite = openPglite('memory://').then(async (db) => (await migrate(db), db));
afterAll(async () => {
  await (await pglite).close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
gatewayCredentialsContract('embedded PGlite', {
  async fresh() {
    const db = await pglite;
    await db.exec('truncate gateway_credentials');
    return db;
  },
  async durable() {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-gw-creds-'));
    dirs.push(dir);
    const db = await openPglite(dir);
    await migrate(db);
    return { db, reopen: () => openPglite(dir) };
  },
});

const server = startPostgres();
server.catch(() => undefined); // reported by every test that needs it, with how to install PostgreSQL
let shared: Promise<SqlClient> | undefined;
afterAll(async () => {
  await (await shared?.catch(() => undefined))?.close();
  await (await server.catch(() => undefined))?.stop();
});
let databases = 0;
gatewayCredentialsContract('PostgreSQL server', {
  async fresh() {
    shared ??= server.then(async (s) => {
      const db = await openPg(s.url());
      await migrate(db);
      return db;
    });
    const db = await shared;
    await db.exec('truncate gateway_credentials');
    return db;
  },
  async durable() {
    const url = await (await server).createDatabase(`gw_restart_${++databases}`);
    const db = await openPg(url);
    await migrate(db);
    return { db, reopen: () => openPg(url) };
  },
});
