import { describe, expect, it } from 'vitest';
import type { WorkOrder } from '@atrium/shared';
import { createOutbox, withPending, type QueuedAction, type SendResult } from '../public/staff-queue.js';

/** The phone's outbox: kept in storage, sent oldest first, one at a time, never lost, never reordered. */
function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), map: m };
}

const order = (id: string, status: WorkOrder['status']) => ({ id, status, assignee: 'guard-1' }) as WorkOrder;

describe('staff outbox', () => {
  it('sends in the order the person acted, waits without a connection, and survives a reload', async () => {
    const storage = memoryStorage();
    let online = false;
    const sent: string[] = [];
    const events: string[] = [];
    let n = 0;
    const make = () =>
      createOutbox({
        storage,
        storageKey: 'box',
        now: () => 1000,
        newKey: () => `k${++n}`,
        send: async (a: QueuedAction): Promise<SendResult> => {
          if (!online) return { kind: 'retry', error: new Error('offline') };
          sent.push(`${a.key}:${a.step}`);
          return { kind: 'applied', order: order(a.orderId, 'accepted') };
        },
        onEvent: (e) => void (e.kind !== 'changed' && events.push(`${e.kind}:${e.action.key}`)),
      });
    const box = make();
    box.add('wo-1', 'accept', {});
    box.add('wo-1', 'arrive', {});
    await box.flush();
    expect(box.size()).toBe(2);
    expect(box.waiting()).toBe(true);
    expect(sent).toEqual([]);

    // the tab is closed and opened again: the same actions, with the same keys, are still there
    const reopened = make();
    expect(reopened.pendingFor('wo-1').map((a) => `${a.key}:${a.step}`)).toEqual(['k1:accept', 'k2:arrive']);
    online = true;
    await reopened.flush();
    expect(sent).toEqual(['k1:accept', 'k2:arrive']);
    expect(reopened.size()).toBe(0);
    expect(JSON.parse(storage.map.get('box')!)).toEqual([]);
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied:k1', 'applied:k2']);
  });

  it('a refused action is dropped and said; the ones after it still go', async () => {
    const storage = memoryStorage();
    const events: string[] = [];
    let n = 0;
    const box = createOutbox({
      storage,
      storageKey: 'box',
      now: () => 0,
      newKey: () => `k${++n}`,
      send: async (a) => (a.step === 'decline' ? { kind: 'refused', error: new Error('reason needed') } : { kind: 'applied', order: order(a.orderId, 'on_site') }),
      onEvent: (e) => void (e.kind !== 'changed' && events.push(`${e.kind}:${e.action.step}`)),
    });
    box.add('wo-1', 'decline', {});
    box.add('wo-2', 'arrive', {});
    await expect.poll(() => box.size()).toBe(0);
    expect(events).toEqual(['refused:decline', 'applied:arrive']);
  });

  it('shows a job as it will be once the queued actions arrive', () => {
    const at = (step: QueuedAction['step']): QueuedAction => ({ key: step, orderId: 'wo-1', step, body: {}, queuedAt: 5, tries: 1 });
    expect(withPending(order('wo-1', 'assigned'), [at('accept'), at('arrive')])).toMatchObject({ status: 'on_site', acceptedAt: 5, arrivedAt: 5 });
    expect(withPending(order('wo-1', 'assigned'), [at('decline')])).toMatchObject({ status: 'open', assignee: null });
    // already there on the cloud (the push came first): nothing applied twice
    expect(withPending(order('wo-1', 'on_site'), [at('arrive')]).status).toBe('on_site');
  });
});
