/**
 * One cloud process's start-up migration, as its own OS process, for the test that starts two
 * at once: opens the database at argv[2], says "ready", waits for "go" on stdin (so both begin
 * together), migrates and prints the ids it applied as JSON.
 */
import { createInterface } from 'node:readline';
import { migrate } from '../../src/db/migrate.ts';
import { openPg } from '../../src/db/pg.ts';

const db = await openPg(process.argv[2]!, { max: 2 });
try {
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => lines.on('line', (l) => l.trim() === 'go' && resolve()));
  process.stdout.write('ready\n');
  await go;
  lines.close();
  process.stdout.write(`${JSON.stringify({ applied: await migrate(db) })}\n`);
} finally {
  await db.close();
}
