import { describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

/**
 * Folders of a package's src depend on each other in one direction only. Files inside one
 * folder may import each other in a circle; two folders never do, directly or through others.
 * A file directly in src (an entry point, a wiring root such as cloud.ts, a leaf such as
 * errors.ts) counts as a unit of its own: lumping them into one "root folder" would tie the
 * wiring root that imports everything to the leaves that everything imports.
 *
 * dependency-cruiser resolves the imports (type-only ones included: a type shared in a
 * circle is a circle too); this test folds its file graph into units and looks for cycles.
 */
const PACKAGES = ['cloud/src', 'edge/src'] as const;

type Graph = Map<string, Map<string, string[]>>;

async function unitGraph(root: string): Promise<{ files: number; graph: Graph }> {
  const { output } = await cruise([root], { includeOnly: `^${root}/`, tsPreCompilationDeps: true, tsConfig: { fileName: 'tsconfig.json' } });
  const result = output as ICruiseResult;
  const unitOf = (path: string) => {
    const [first, ...rest] = path.slice(root.length + 1).split('/');
    return rest.length > 0 ? `${first}/` : first!;
  };
  const graph: Graph = new Map();
  for (const m of result.modules) {
    const from = unitOf(m.source);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const d of m.dependencies) {
      if (!d.resolved.startsWith(`${root}/`)) continue;
      const to = unitOf(d.resolved);
      if (to === from) continue;
      const edges = graph.get(from)!;
      edges.set(to, [...(edges.get(to) ?? []), `${m.source} → ${d.resolved}`]);
    }
  }
  return { files: result.modules.length, graph };
}

/** Strongly connected components with more than one unit (Tarjan): every folder cycle lies inside one. */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The imports that tie a cycle's units together, so a failure says which lines to change. */
function describeCycle(graph: Graph, units: string[]): string {
  const inside = new Set(units);
  const lines = units.flatMap((u) => [...(graph.get(u) ?? [])].filter(([to]) => inside.has(to)).map(([to, via]) => `  ${u} → ${to}: ${via.join(', ')}`));
  return `[${units.join(', ')}]\n${lines.join('\n')}`;
}

describe('import graph', () => {
  for (const root of PACKAGES) {
    it(`${root} has no cycle between folders`, async () => {
      const { files, graph } = await unitGraph(root);
      // An empty graph would pass for the wrong reason (a path or resolver problem).
      expect(files).toBeGreaterThan(20);
      const found = cycles(graph).map((c) => describeCycle(graph, c));
      expect(found, `folders of ${root} that import each other:\n${found.join('\n')}`).toEqual([]);
    });
  }

  it('finds a cycle when there is one', () => {
    const graph: Graph = new Map([
      ['a/', new Map([['b/', ['a/x.ts → b/y.ts']]])],
      ['b/', new Map([['c.ts', ['b/y.ts → c.ts']]])],
      ['c.ts', new Map([['a/', ['c.ts → a/z.ts']]])],
      ['d/', new Map([['a/', ['d/w.ts → a/x.ts']]])],
    ]);
    expect(cycles(graph)).toEqual([['a/', 'b/', 'c.ts']]);
    expect(cycles(new Map([['a/', new Map([['b/', []]])]]))).toEqual([]);
  });
});
