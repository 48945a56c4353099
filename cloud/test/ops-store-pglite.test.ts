import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { createSqlOpsStore } from '../src/ops/sql-ops-store.ts';
import { opsStoreContract } from './ops-store.contract.ts';

// One in-memory engine for the suite (starting PGlite costs seconds), emptied per test; the
// restart case gets its own engine on disk, closed and opened again on the same directory.
const engine = openPglite('memory://');
const dirs: string[] = [];
afterAll(async () => {
  await (await engine).close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

opsStoreContract('embedded PGlite', {
  db: () => engine,
  async durable() {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-ops-pglite-'));
    dirs.push(dir);
    const store = await createSqlOpsStore(await openPglite(dir), { siteId: 'demo-mall', ownsClient: true });
    return {
      store,
      async reopen() {
        await store.close();
        return createSqlOpsStore(await openPglite(dir), { siteId: 'demo-mall', ownsClient: true });
      },
    };
  },
});
