import type { BacktestResult, Comparison } from './backtest.ts';
import type { Summary } from './metrics.ts';

/** Plain-text table of a backtest, one row per sensor and one overall, model beside seasonal naive. */

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
const num = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

const COLUMNS = ['sensor', 'win', 'MASE72', 'naive', 'ratio', 'MASE24', 'naive', 'ratio', 'WAPE', 'naive', 'cov80', 'naive', 'cov95', 'naive'] as const;

function row(label: string, c: Comparison): string[] {
  const m: Summary = c.model;
  const n: Summary = c.seasonalNaive;
  return [
    label,
    String(m.windows),
    num(m.mase72),
    num(n.mase72),
    num(c.ratio.mase72),
    num(m.mase24),
    num(n.mase24),
    num(c.ratio.mase24),
    pct(m.wape),
    pct(n.wape),
    pct(m.cov80),
    pct(n.cov80),
    pct(m.cov95),
    pct(n.cov95),
  ];
}

export function formatTable(result: BacktestResult): string {
  const rows: string[][] = [[...COLUMNS]];
  for (const [id, s] of Object.entries(result.sensors)) rows.push(row(`${id} ${s.sensor}`, s));
  rows.push(row('overall', result.overall));
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
  const rule = '-'.repeat(lines[0]?.length ?? 0);
  return [lines[0], rule, ...lines.slice(1, -1), rule, lines.at(-1), '', 'MASE: per-window mean absolute error / in-sample seasonal naive error (168 h for 72 h, 24 h for the first 24 h), averaged over windows.', 'ratio: model / seasonal naive (lower is better). WAPE and coverage pool all scored hours.'].join('\n');
}
