import { describe, expect, it } from 'vitest';
import type { WorkOrder } from '@atrium/shared';
import { createWording } from '../../src/dispatch/wording.ts';
import { siteFacts } from '../../src/rules/subjects.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';

/** Notifications read on a phone: names, places and the mall's local time, never ids or UTC. */
describe('notification wording', () => {
  const facts = siteFacts(miniSite); // Melbourne
  const names: Record<string, string> = { 'guard-1': 'Gita Guard', 'sup-1': 'Sam Super' };
  const w = createWording(facts, (id) => names[id]);
  const order = { id: 'wo-13', type: 'restroom_cleaning', priority: 2, zoneId: 'wc' } as WorkOrder;
  // 2025-01-15 03:30 UTC is 14:30 in Melbourne (summer time, UTC+11)
  const t = Date.UTC(2025, 0, 15, 3, 30);

  it('a new job says what, where, and by when in the mall’s time', () => {
    expect(w.message(order, { reason: 'assigned', acceptBy: t })).toBe('Restroom cleaning (priority 2) at Restroom, Ground: assigned to you, please accept by 14:30.');
    expect(w.message(order, { reason: 'assigned', acceptBy: t, by: 'sup-1' })).toContain('assigned to you by Sam Super, please accept by 14:30');
  });

  it('the supervisor hears names, not staff ids, and late steps in local time', () => {
    expect(w.message(order, { reason: 'declined', by: 'guard-1', why: 'no supplies left' })).toBe('Restroom cleaning (priority 2) at Restroom, Ground: declined by Gita Guard: no supplies left.');
    expect(w.message(order, { reason: 'not_accepted', from: 'guard-1' })).toContain('not accepted in time by Gita Guard');
    expect(w.message(order, { reason: 'sla_breach', stage: 'arrive', dueAt: t })).toContain('late: arriving was due at 14:30');
    expect(w.message(order, { reason: 'awaiting_verification', by: 'guard-1' })).toContain('resolved by Gita Guard, awaiting your verification');
    // someone not on the roster (an operator) keeps their user name
    expect(w.message(order, { reason: 'declined', by: 'ops-desk', why: 'test' })).toContain('declined by ops-desk: test');
    for (const m of [w.message(order, { reason: 'withdrawn' }), w.message(order, { reason: 'unassignable', role: 'cleaner' })]) expect(m).not.toMatch(/wo-13|restroom_cleaning|\bP2\b/);
  });
});
