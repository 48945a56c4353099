import { afterAll, describe, expect, it } from 'vitest';
import { openPg, PgConfigError } from '../src/db/pg.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { createSqlOpsStore } from '../src/ops/sql-ops-store.ts';
import { freePort } from '../../tests/support/processes.ts';
import { opsStoreContract } from './ops-store.contract.ts';
import { startPostgres } from './support/postgres.ts';

// One real PostgreSQL server (Debian's `postgresql`) for the file: the contract's fresh stores
// share a database emptied per test; each restart case gets a database of its own.
const server = startPostgres();
server.catch(() => undefined); // reported by every test that needs it, with how to install PostgreSQL
let shared: Promise<SqlClient> | undefined;
afterAll(async () => {
  await (await shared?.catch(() => undefined))?.close();
  await (await server.catch(() => undefined))?.stop();
});

let databases = 0;
opsStoreContract('PostgreSQL server', {
  async db() {
    shared ??= openPg((await server).url());
    return shared;
  },
  async durable() {
    const url = await (await server).createDatabase(`restart_${++databases}`);
    const store = await createSqlOpsStore(await openPg(url), { siteId: 'demo-mall', ownsClient: true });
    return {
      store,
      async reopen() {
        await store.close();
        return createSqlOpsStore(await openPg(url), { siteId: 'demo-mall', ownsClient: true });
      },
    };
  },
});

describe('PostgreSQL server connection', () => {
  it('refuses to start with what to fix: a missing database, a wrong password, no server there', async () => {
    const s = await server;
    const refusal = (url: string) => openPg(url).then(() => null, (err: unknown) => err);

    const missing = await refusal(s.url('no_such_db'));
    expect(missing).toBeInstanceOf(PgConfigError);
    expect((missing as Error).message).toMatch(/no_such_db.*does not exist.*ATRIUM_DATABASE_URL/);

    const badLogin = await refusal(s.url().replace(':test-password@', ':wrong@'));
    expect((badLogin as Error).message).toMatch(/refused the login.*check the user and password in ATRIUM_DATABASE_URL/);
    expect((badLogin as Error).message).not.toContain('wrong');

    const port = await freePort(); // nothing listens there
    const down = await refusal(`postgres://atrium:secret@127.0.0.1:${port}/atrium`);
    expect((down as Error).message).toMatch(new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/atrium.*ECONNREFUSED.*check ATRIUM_DATABASE_URL`));
    expect((down as Error).message).not.toContain('secret');

    expect(((await refusal('mysql://x@y/z')) as Error).message).toMatch(/ATRIUM_DATABASE_URL must be a postgres:\/\//);
  });

  it('keeps serving, and keeps its data, when the server restarts under it', async () => {
    const s = await server;
    const url = await s.createDatabase('server_restart');
    const store = await createSqlOpsStore(await openPg(url), { siteId: 'demo-mall', ownsClient: true });
    try {
      const v1 = await store.saveRules({ text: 'a', savedAt: 1, savedBy: 'admin' });
      await s.restart(); // every pooled connection is cut
      expect(await store.currentRules()).toEqual(v1);
      const v2 = await store.saveRules({ text: 'b', savedAt: 2, savedBy: 'admin' });
      expect(v2.version).toBeGreaterThan(v1.version);
    } finally {
      await store.close();
    }
  });
});
