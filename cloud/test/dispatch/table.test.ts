import { describe, expect, it } from 'vitest';
import { Table } from '../../src/dispatch/table.ts';

/** The engine's persistent map behaves like a Map, never changes an old version, and its shape depends on its keys only. */
describe('Table', () => {
  it('agrees with a Map through thousands of sets and deletes, old versions untouched', () => {
    let t = Table.empty<number>();
    const m = new Map<string, number>();
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const versions: Array<[Table<number>, Map<string, number>]> = [];
    for (let i = 0; i < 20_000; i++) {
      const k = `wo-${rand(3000)}`;
      if (rand(3) === 0) {
        t = t.delete(k);
        m.delete(k);
      } else {
        t = t.set(k, i);
        m.set(k, i);
      }
      if (i % 2000 === 0) versions.push([t, new Map(m)]);
    }
    expect(t.size).toBe(m.size);
    expect(Object.fromEntries(t.entries())).toEqual(Object.fromEntries(m));
    for (const k of ['wo-1', 'wo-2999', 'absent']) expect(t.get(k)).toBe(m.get(k));
    for (const [old, was] of versions) expect(Object.fromEntries(old.entries())).toEqual(Object.fromEntries(was));
  });

  it('has the same shape whatever order the keys came in, so a restored state equals the live one', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `al-${i}`);
    const forward = keys.reduce((t, k) => t.set(k, k.length), Table.empty<number>());
    const backward = [...keys].reverse().reduce((t, k) => t.set(k, k.length), Table.empty<number>());
    const pruned = [...keys, 'x-1', 'x-2'].reduce((t, k) => t.set(k, k.length), Table.empty<number>()).delete('x-1').delete('x-2');
    expect(backward).toEqual(forward);
    expect(pruned).toEqual(forward);
    expect(Table.fromRecord(forward.toRecord())).toEqual(forward);
    expect(forward.set('al-1', 4)).toBe(forward);
    expect(forward.delete('nope')).toBe(forward);
  });
});
