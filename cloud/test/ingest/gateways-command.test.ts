import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePassword, gatewayPrincipal } from '@atrium/shared';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createGatewayCredentials } from '../../src/ingest/gateway-credentials.ts';
import { runGatewaysCommand, type GatewaysRequest } from '../../src/ingest/gateways-command.ts';
import { twoGatewaySite } from '../../../tests/support/gateway.ts';

const site = twoGatewaySite();
const refusal = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err as Error & { code: string });

describe('npm run gateways: what each command does to the credentials', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await openPglite('memory://');
    await migrate(db);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });
  const fresh = async () => {
    await db.exec('truncate gateway_credentials');
    const store = createGatewayCredentials(db, site.id);
    const run = (req: Partial<GatewaysRequest> & Pick<GatewaysRequest, 'command'>) => runGatewaysCommand({ gatewayIds: [], site: false, ...req }, { site, store });
    return { store, run };
  };

  it('adds every gateway of the site with --site, printing each password once, and lists them with their devices', async () => {
    const { store, run } = await fresh();
    const added = await run({ command: 'add', site: true });
    expect(added.command === 'add' && added.gateways.map((g) => [g.gatewayId, g.devices, g.publish])).toEqual([['gw-a', 7, 'atrium-up/mini/gw-a/+'], ['gw-b', 2, 'atrium-up/mini/gw-b/+']]);
    for (const g of added.command === 'add' ? added.gateways : []) expect((await store.verify(g.gatewayId, g.password)).outcome).toBe('ok');
    expect(await run({ command: 'add', site: true })).toEqual({ command: 'add', gateways: [] });
    const listed = await run({ command: 'list' });
    expect(listed.command === 'list' && listed.gateways.map((g) => [g.gatewayId, g.state])).toEqual([['gw-a', 'active'], ['gw-b', 'active']]);
  });

  it('refuses an id the site model does not declare before changing anything', async () => {
    const { store, run } = await fresh();
    expect(await refusal(run({ command: 'add', gatewayIds: ['gw-a', 'gw-z'] }))).toMatchObject({ code: 'ATRIUM_GATEWAY_UNKNOWN' });
    expect(await store.list()).toEqual([]);
  });

  it('takes an operator-chosen password without printing it, and adding it again is nothing to do; another password is refused', async () => {
    const { run } = await fresh();
    const chosen = 'operator-chosen-password-0001';
    const first = await run({ command: 'add', gatewayIds: ['gw-a'], password: chosen });
    expect(first.command === 'add' && first.gateways[0]?.password).toBeUndefined();
    expect((await run({ command: 'add', gatewayIds: ['gw-a'], password: chosen })).command).toBe('add');
    expect(await refusal(run({ command: 'add', gatewayIds: ['gw-a'], password: `${chosen}-other` }))).toMatchObject({ code: 'ATRIUM_GATEWAY_EXISTS' });
  });

  it('imports what the edges derive from the shared secret, so the cloud can drop it while they keep their passwords', async () => {
    const { store, run } = await fresh();
    const secret = 'old-shared-gateway-secret-01';
    await run({ command: 'add', gatewayIds: ['gw-b'] }); // already moved: left alone
    const imported = await run({ command: 'import', legacySecret: secret });
    expect(imported.command === 'import' && imported.gateways.map((g) => [g.gatewayId, g.password])).toEqual([['gw-a', undefined]]);
    expect((await store.verify('gw-a', derivePassword(secret, gatewayPrincipal('gw-a')))).outcome).toBe('ok');
    expect((await store.verify('gw-b', derivePassword(secret, gatewayPrincipal('gw-b')))).outcome).toBe('wrong_password');
  });

  it('rotates, disables and enables only gateways that have a credential', async () => {
    const { store, run } = await fresh();
    await run({ command: 'add', gatewayIds: ['gw-a'] });
    const rotated = await run({ command: 'rotate', gatewayIds: ['gw-a'] });
    expect(rotated.command === 'rotate' && rotated.gateways[0]).toMatchObject({ gatewayId: 'gw-a', generation: 2 });
    expect(await run({ command: 'disable', gatewayIds: ['gw-a'] })).toEqual({ command: 'disable', gateways: [{ gatewayId: 'gw-a', disabled: true }] });
    expect((await store.get('gw-a'))?.disabled).toBe(true);
    expect(await refusal(run({ command: 'enable', gatewayIds: ['gw-b'] }))).toMatchObject({ code: 'ATRIUM_GATEWAY_NOT_PROVISIONED' });
  });
});
