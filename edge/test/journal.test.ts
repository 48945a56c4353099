import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJournal } from '../src/outbox/journal.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrium-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T = Date.UTC(2026, 0, 10, 10, 0, 0);

describe('edge journal', () => {
  it('recognises a resend by (seq, ts) but not a reboot that reuses seq', async () => {
    const j = openJournal({ path: ':memory:', durability: 'normal' });
    const [a, b, c, d] = await Promise.all([
      j.append('r1', 'count', 1, T, '{}', T),
      j.append('r1', 'count', 1, T, '{}', T),
      j.append('r1', 'count', 1, T + 5000, '{}', T),
      j.append('r1', 'env', 1, T, '{}', T),
    ]);
    expect(a).toBeTypeOf('number');
    expect(b).toBeNull();
    expect(c).toBeTypeOf('number');
    expect(d).toBeTypeOf('number');
    j.close();
  });

  it('keeps unfolded readings and undelivered uplinks across a reopen, and delivers in order', async () => {
    const path = join(dir, 'journal.sqlite');
    const first = openJournal({ path, durability: 'full' });
    const ids = await Promise.all([1, 2, 3].map((n) => first.append('r1', 'count', n, T + n, `{"n":${n}}`, T)));
    first.fold([{ kind: 'minute', body: '{"u":1}', records: 1 }, { kind: 'events', body: '{"u":2}', records: 1 }], [ids[0]!, ids[1]!], T);
    first.close();

    const second = openJournal({ path, durability: 'full' });
    expect(second.pendingReadings().map((r) => r.body)).toEqual(['{"n":3}']);
    const outbox = second.outboxAfter(0, 10);
    expect(outbox.map((r) => r.body)).toEqual(['{"u":1}', '{"u":2}']);
    second.delivered(outbox[0]!.id);
    expect(second.outboxAfter(0, 10).map((r) => r.body)).toEqual(['{"u":2}']);
    expect(second.stats()).toMatchObject({ outboxRows: 1, pendingReadings: 1 });
    // ids keep growing after the outbox empties, so a cursor over them never skips a new uplink
    second.delivered(second.outboxAfter(0, 10)[0]!.id);
    second.fold([{ kind: 'minute', body: '{"u":3}', records: 1 }], [], T);
    expect(second.outboxAfter(outbox[1]!.id, 10).map((r) => r.body)).toEqual(['{"u":3}']);
    // a resend of a reading already folded is still recognised after the reopen
    expect(await second.append('r1', 'count', 1, T + 1, '{"n":1}', T)).toBeNull();
    second.close();
  });
});
