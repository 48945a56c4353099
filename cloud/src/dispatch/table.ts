/**
 * A persistent map from string keys to values (a hash array mapped trie): `set` and `delete`
 * return a new table that shares every untouched branch with the old one, so changing one
 * work order among 10,000 copies a handful of small nodes instead of the whole collection,
 * and the old table stays valid (the engine is pure; the previous state is still someone's).
 *
 * Its shape depends only on the keys it holds, not on the order they came in, so a table
 * rebuilt from a snapshot deep-equals the one the running engine grew step by step.
 * Iteration order is by hash: callers that need an order sort.
 */
type Leaf<V> = { readonly k: string; readonly h: number; readonly v: V };
/** Keys whose whole hash collides, kept sorted by key (so the shape stays canonical). */
type Bucket<V> = { readonly h: number; readonly leaves: readonly Leaf<V>[] };
type Branch<V> = { readonly bitmap: number; readonly kids: readonly Node<V>[] };
type Node<V> = Leaf<V> | Bucket<V> | Branch<V>;

const BITS = 5;
const MASK = 31;

const isBranch = <V>(n: Node<V>): n is Branch<V> => 'bitmap' in n;
const isBucket = <V>(n: Node<V>): n is Bucket<V> => 'leaves' in n;

/** FNV-1a with a final avalanche, so ids that differ in one digit spread over the trie. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 63;
}

const slot = (h: number, shift: number) => 1 << ((h >>> shift) & MASK);
const indexIn = (bitmap: number, bit: number) => popcount(bitmap & (bit - 1));
const replaced = <T>(xs: readonly T[], i: number, x: T): T[] => {
  const out = xs.slice();
  out[i] = x;
  return out;
};

/** Two different-hash nodes that met in one slot: as deep a branch as it takes to tell them apart. */
function split<V>(a: Leaf<V> | Bucket<V>, b: Leaf<V>, shift: number): Branch<V> {
  const ba = slot(a.h, shift);
  const bb = slot(b.h, shift);
  if (ba === bb) return { bitmap: ba, kids: [split(a, b, shift + BITS)] };
  return { bitmap: ba | bb, kids: ba >>> 0 < bb >>> 0 ? [a, b] : [b, a] };
}

/** `added` is set when the key was new (for the size). */
function put<V>(n: Node<V>, leaf: Leaf<V>, shift: number, added: { yes: boolean }): Node<V> {
  if (isBranch(n)) {
    const bit = slot(leaf.h, shift);
    const i = indexIn(n.bitmap, bit);
    if ((n.bitmap & bit) === 0) {
      added.yes = true;
      const kids = n.kids.slice();
      kids.splice(i, 0, leaf);
      return { bitmap: n.bitmap | bit, kids };
    }
    const kid = n.kids[i]!;
    const next = put(kid, leaf, shift + BITS, added);
    return next === kid ? n : { bitmap: n.bitmap, kids: replaced(n.kids, i, next) };
  }
  if (isBucket(n)) {
    if (n.h !== leaf.h) {
      added.yes = true;
      return split(n, leaf, shift);
    }
    const i = n.leaves.findIndex((l) => l.k >= leaf.k);
    if (i >= 0 && n.leaves[i]!.k === leaf.k) return n.leaves[i]!.v === leaf.v ? n : { h: n.h, leaves: replaced(n.leaves, i, leaf) };
    added.yes = true;
    const leaves = n.leaves.slice();
    leaves.splice(i < 0 ? leaves.length : i, 0, leaf);
    return { h: n.h, leaves };
  }
  if (n.k === leaf.k) return n.v === leaf.v ? n : leaf;
  added.yes = true;
  if (n.h === leaf.h) return { h: n.h, leaves: n.k < leaf.k ? [n, leaf] : [leaf, n] };
  return split(n, leaf, shift);
}

/** undefined: the node is gone. A branch left with one leaf (or bucket) collapses into it. */
function remove<V>(n: Node<V>, key: string, h: number, shift: number, isRoot: boolean): Node<V> | undefined {
  if (isBranch(n)) {
    const bit = slot(h, shift);
    if ((n.bitmap & bit) === 0) return n;
    const i = indexIn(n.bitmap, bit);
    const kid = n.kids[i]!;
    const next = remove(kid, key, h, shift + BITS, false);
    if (next === kid) return n;
    if (next === undefined) {
      if (n.kids.length === 1) return undefined;
      const kids = n.kids.filter((_, j) => j !== i);
      if (!isRoot && kids.length === 1 && !isBranch(kids[0]!)) return kids[0];
      return { bitmap: n.bitmap & ~bit, kids };
    }
    if (!isRoot && n.kids.length === 1 && !isBranch(next)) return next;
    return { bitmap: n.bitmap, kids: replaced(n.kids, i, next) };
  }
  if (isBucket(n)) {
    if (n.h !== h) return n;
    const leaves = n.leaves.filter((l) => l.k !== key);
    if (leaves.length === n.leaves.length) return n;
    return leaves.length === 1 ? leaves[0] : { h, leaves };
  }
  return n.k === key ? undefined : n;
}

/** Plain recursion, not generators: walking 10,000 orders on every tick has to be cheap. */
function walk<V>(n: Node<V>, visit: (l: Leaf<V>) => void): void {
  if (isBranch(n)) for (const k of n.kids) walk(k, visit);
  else if (isBucket(n)) for (const l of n.leaves) visit(l);
  else visit(n);
}

const EMPTY_ROOT: Branch<never> = { bitmap: 0, kids: [] };

export class Table<V> {
  private constructor(
    private readonly root: Branch<V>,
    readonly size: number,
  ) {}

  static empty<V>(): Table<V> {
    return new Table<V>(EMPTY_ROOT, 0);
  }

  static fromRecord<V>(record: Readonly<Record<string, V>>): Table<V> {
    let t = Table.empty<V>();
    for (const k of Object.keys(record)) t = t.set(k, record[k]!);
    return t;
  }

  get(key: string): V | undefined {
    const h = hashOf(key);
    let n: Node<V> = this.root;
    for (let shift = 0; ; shift += BITS) {
      if (isBranch(n)) {
        const bit = slot(h, shift);
        if ((n.bitmap & bit) === 0) return undefined;
        n = n.kids[indexIn(n.bitmap, bit)]!;
      } else if (isBucket(n)) return n.h === h ? n.leaves.find((l) => l.k === key)?.v : undefined;
      else return n.k === key ? n.v : undefined;
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The same table when the key already holds this very value. */
  set(key: string, value: V): Table<V> {
    const added = { yes: false };
    const root = put(this.root, { k: key, h: hashOf(key), v: value }, 0, added) as Branch<V>;
    return root === this.root ? this : new Table(root, this.size + (added.yes ? 1 : 0));
  }

  delete(key: string): Table<V> {
    const root = remove(this.root, key, hashOf(key), 0, true) as Branch<V> | undefined;
    if (root === this.root) return this;
    return root === undefined ? Table.empty<V>() : new Table(root, this.size - 1);
  }

  forEach(fn: (value: V, key: string) => void): void {
    walk(this.root, (l) => fn(l.v, l.k));
  }

  entries(): Array<[string, V]> {
    const out: Array<[string, V]> = [];
    walk(this.root, (l) => out.push([l.k, l.v]));
    return out;
  }

  values(): V[] {
    const out: V[] = [];
    walk(this.root, (l) => out.push(l.v));
    return out;
  }

  keys(): string[] {
    const out: string[] = [];
    walk(this.root, (l) => out.push(l.k));
    return out;
  }

  /** A plain record (what the snapshot stores), keys sorted so the stored text is stable. */
  toRecord(): Record<string, V> {
    const out: Record<string, V> = {};
    for (const [k, v] of this.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
    return out;
  }
}
