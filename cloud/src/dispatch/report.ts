import type { SlaRow, SlaStage, StageStats, WorkOrder } from '@atrium/shared';

/**
 * SLA reports over work-order histories: compliance and mean time to accept, arrive and
 * resolve, per alarm type and per local day, with totals. Computed from the audit trail
 * (not the convenience fields), so it can be rerun over stored orders at any time and
 * agrees with what the trail says happened.
 *
 * Definitions (what a manager will ask about):
 * - times run from the order's creation; accept and arrive use the first time it happened
 *   (a reassignment does not restart the customer's wait), resolve the last (a reopened
 *   order is resolved when it is finally resolved);
 * - a stage is *due* if it happened, or its deadline passed before `asOf` while the order
 *   was still open; cancelled before the deadline, it was never due;
 * - *met*: happened within the target. Compliance = met / due.
 */
const STAGES: ReadonlyArray<{ stage: SlaStage; action: 'accept' | 'arrive' | 'resolve'; target: 'acceptS' | 'arriveS' | 'resolveS'; last: boolean }> = [
  { stage: 'accept', action: 'accept', target: 'acceptS', last: false },
  { stage: 'arrive', action: 'arrive', target: 'arriveS', last: false },
  { stage: 'resolve', action: 'resolve', target: 'resolveS', last: true },
];

interface Acc {
  orders: number;
  cancelled: number;
  verified: number;
  stages: Record<SlaStage, { due: number; met: number; sum: number; n: number }>;
}
const acc = (): Acc => ({ orders: 0, cancelled: 0, verified: 0, stages: { accept: z(), arrive: z(), resolve: z() } });
const z = () => ({ due: 0, met: 0, sum: 0, n: 0 });

export function slaReport(orders: readonly WorkOrder[], opts: { timezone: string; asOf: number }): SlaRow[] {
  const dayOf = localDay(opts.timezone);
  const groups = new Map<string, Acc>();
  const add = (type: string, day: string, o: WorkOrder) => {
    const key = `${type}\u0000${day}`;
    const a = groups.get(key) ?? acc();
    groups.set(key, a);
    a.orders++;
    if (o.status === 'cancelled') a.cancelled++;
    if (o.status === 'verified') a.verified++;
    const cancelledAt = o.status === 'cancelled' ? (o.history.findLast((h) => h.action === 'cancel')?.at ?? o.closedAt ?? opts.asOf) : Infinity;
    for (const { stage, action, target, last } of STAGES) {
      const hits = o.history.filter((h) => h.action === action);
      const at = (last ? hits[hits.length - 1] : hits[0])?.at;
      const s = a.stages[stage];
      const deadline = o.createdAt + o.targets[target] * 1000;
      if (at !== undefined) {
        s.due++;
        s.n++;
        s.sum += (at - o.createdAt) / 1000;
        if (at <= deadline) s.met++;
      } else if (deadline <= opts.asOf && deadline < cancelledAt) s.due++;
    }
  };
  for (const o of orders) {
    const day = dayOf(o.createdAt);
    add(o.type, day, o);
    add(o.type, 'all', o);
    add('all', day, o);
    add('all', 'all', o);
  }
  const rows = [...groups.entries()].map(([key, a]): SlaRow => {
    const [type, day] = key.split('\u0000') as [string, string];
    const stats = (s: Acc['stages'][SlaStage]): StageStats => ({
      due: s.due,
      met: s.met,
      compliance: s.due > 0 ? s.met / s.due : null,
      meanS: s.n > 0 ? Math.round((s.sum / s.n) * 10) / 10 : null,
    });
    return { type, day, orders: a.orders, cancelled: a.cancelled, verified: a.verified, accept: stats(a.stages.accept), arrive: stats(a.stages.arrive), resolve: stats(a.stages.resolve) };
  });
  // Types alphabetically with `all` last; days in order with `all` last.
  const rank = (v: string) => (v === 'all' ? '\uffff' : v);
  return rows.sort((a, b) => rank(a.type).localeCompare(rank(b.type)) || rank(a.day).localeCompare(rank(b.day)));
}

function localDay(timezone: string): (t: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (t) => fmt.format(new Date(t));
}

export const SLA_CSV_COLUMNS = [
  'type', 'day', 'orders', 'cancelled', 'verified',
  'accept_due', 'accept_met', 'accept_compliance_pct', 'accept_mean_s',
  'arrive_due', 'arrive_met', 'arrive_compliance_pct', 'arrive_mean_s',
  'resolve_due', 'resolve_met', 'resolve_compliance_pct', 'resolve_mean_s',
] as const;

/** RFC 4180 CSV, one row per SlaRow; empty cells where nothing was due or reached. */
export function slaReportCsv(rows: readonly SlaRow[]): string {
  const pct = (v: number | null) => (v === null ? '' : (Math.round(v * 1000) / 10).toFixed(1));
  const num = (v: number | null) => (v === null ? '' : String(v));
  const stage = (s: StageStats) => [String(s.due), String(s.met), pct(s.compliance), num(s.meanS)];
  const lines = rows.map((r) => [r.type, r.day, String(r.orders), String(r.cancelled), String(r.verified), ...stage(r.accept), ...stage(r.arrive), ...stage(r.resolve)].map(cell).join(','));
  return [SLA_CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
