// @ts-check
/**
 * Keeps a list element showing exactly `items`, in order, reusing each item's element: rows
 * whose id is gone are removed, new ones built, every row updated and moved only when it is
 * out of place (so focus and running animations survive a live update).
 *
 * @template {{ id: string }} T
 * @template {{ li: HTMLLIElement }} R
 * @param {{ list: HTMLElement; count: HTMLElement; empty: HTMLElement }} el
 * @param {Map<string, R>} rows  the rows drawn so far, by id (updated in place)
 * @param {readonly T[]} items
 * @param {(item: T) => R} build
 * @param {(row: R, item: T) => void} update
 */
export function reconcileList(el, rows, items, build, update) {
  const wanted = new Set(items.map((i) => i.id));
  for (const [id, row] of rows) {
    if (wanted.has(id)) continue;
    row.li.remove();
    rows.delete(id);
  }
  items.forEach((item, i) => {
    let row = rows.get(item.id);
    if (!row) rows.set(item.id, (row = build(item)));
    update(row, item);
    if (el.list.children[i] !== row.li) el.list.insertBefore(row.li, el.list.children[i] ?? null);
  });
  el.count.textContent = String(items.length);
  el.empty.hidden = items.length > 0;
}
