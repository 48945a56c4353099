import type { Logger } from 'pino';
import { io, type Socket as IoSocket } from 'socket.io-client';
import { LIVE_EVENTS, type ClientToServerEvents, type ServerToClientEvents, type SiteModel } from '@atrium/shared';

type Socket = IoSocket<ServerToClientEvents, ClientToServerEvents>;
import { mulberry32 } from '../random.ts';
import { DEFAULT_HABITS, respond, type StaffHabits } from './behaviour.ts';
import { demoCrew, walkingDistanceM, type SimStaffMember } from './roster.ts';

export interface CrewOptions {
  site: SiteModel;
  /** the cloud's base URL, e.g. http://127.0.0.1:8080/ */
  apiUrl: string;
  /** an admin key: the crew registers itself on the roster and gets its own users */
  adminKey: string;
  /** simulated time, and how many simulated seconds pass per real second */
  now: () => number;
  speed: number;
  /** the simulated clock's speed right now, when it varies (a demo's closed hours run faster); default `speed` */
  rate?: () => number;
  seed?: number;
  habits?: Partial<StaffHabits>;
  /** one person's habits over the crew's (a guard who never looks at the phone, say) */
  habitsFor?: (memberId: string) => Partial<StaffHabits>;
  /** a cleaner finished a cleaning job in this zone (the simulator resets its odour) */
  onCleaned?: (zoneId: string) => void;
  /** the crew to play; default demoCrew(site) on shift for `shiftDays` */
  crew?: SimStaffMember[];
  shiftDays?: number;
  logger?: Logger;
}

export interface CrewStats {
  assigned: number;
  missed: number;
  declined: number;
  accepted: number;
  resolved: number;
  verified: number;
  /** actions the cloud refused (the job was cancelled or moved on meanwhile) */
  overtaken: number;
}

export interface Crew {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): CrewStats;
  readonly members: readonly SimStaffMember[];
}

interface Order {
  id: string;
  role: 'cleaner' | 'security' | 'technician';
  zoneId: string;
  status: string;
  assignee: string | null;
}

/**
 * The simulated staff: each person is a phone on the cloud's API and socket.io with their own
 * key. A job offered to them is accepted (or declined, or missed), walked to at walking pace,
 * worked and resolved, in simulated time; the supervisor verifies what waits for a person.
 */
export function createCrew(opts: CrewOptions): Crew {
  const habits: StaffHabits = { ...DEFAULT_HABITS, ...opts.habits };
  const rng = mulberry32(opts.seed ?? 7);
  const from = opts.now() - 3600_000;
  const members = opts.crew ?? demoCrew(opts.site, { from, to: from + (opts.shiftDays ?? 30) * 86_400_000 });
  const base = opts.apiUrl.replace(/\/$/, '');
  const sockets: Socket[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const busy = new Set<string>();
  const stats: CrewStats = { assigned: 0, missed: 0, declined: 0, accepted: 0, resolved: 0, verified: 0, overtaken: 0 };
  const location = new Map(members.map((m) => [m.id, m.zoneId]));
  let stopped = false;

  const call = async (key: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const must = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`${what}: the cloud answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const rate = () => Math.max(0.001, opts.rate?.() ?? opts.speed);
  /**
   * Simulated seconds from now, on the simulated clock: a wake-up before the simulated deadline
   * (the clock slowed, or runs at another speed since) sleeps again for what is left, so a
   * person's reaction takes the same simulated time at any pace.
   */
  const after = (simS: number, fn: () => Promise<void>) => {
    if (stopped) return;
    const due = opts.now() + simS * 1000;
    const arm = (realMs: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped) return;
        const left = due - opts.now();
        if (left > 0) arm(Math.max(10, left / rate()));
        else fn().catch((err: Error) => opts.logger?.warn({ err: err.message }, 'crew action failed'));
      }, realMs);
      timers.add(t);
    };
    arm((simS * 1000) / rate());
  };
  const act = async (key: string, orderId: string, action: string, body: unknown = {}): Promise<boolean> => {
    const res = await call(key, 'POST', `/api/v1/work-orders/${orderId}/${action}`, body);
    if (res.ok) return true;
    // 409/403: cancelled, reassigned or verified meanwhile; that is the cloud's call to make.
    if (res.status === 409 || res.status === 403 || res.status === 404) {
      stats.overtaken++;
      return false;
    }
    throw new Error(`${action} ${orderId}: ${res.status} ${await res.text()}`);
  };

  async function keyFor(m: SimStaffMember): Promise<string> {
    const role = m.roles.includes('supervisor') ? 'supervisor' : 'staff';
    const created = await call(opts.adminKey, 'POST', '/api/v1/users', { userId: m.id, role, staffId: m.id });
    if (created.status === 201) return ((await created.json()) as { key: string }).key;
    // Already there from an earlier run on the same data: a fresh key for this run.
    if (created.status === 409) return ((await must(await call(opts.adminKey, 'POST', `/api/v1/users/${m.id}/rotate-key`), `rotate key of ${m.id}`)) as { key: string }).key;
    throw new Error(`create user ${m.id}: ${created.status} ${await created.text()}`);
  }

  function onAssigned(m: SimStaffMember, key: string, order: Order) {
    if (busy.has(order.id)) return;
    busy.add(order.id);
    stats.assigned++;
    const distanceM = walkingDistanceM(opts.site, location.get(m.id) ?? null, order.zoneId);
    const plan = respond(rng, { ...habits, ...opts.habitsFor?.(m.id) }, { role: order.role, distanceM });
    const done = () => busy.delete(order.id);
    if (plan.kind === 'miss') {
      stats.missed++;
      done();
      return;
    }
    if (plan.kind === 'decline') {
      after(plan.afterS, async () => {
        if (await act(key, order.id, 'decline', { reason: plan.reason })) stats.declined++;
        done();
      });
      return;
    }
    after(plan.acceptAfterS, async () => {
      if (!(await act(key, order.id, 'accept'))) {
        done();
        return;
      }
      stats.accepted++;
      after(plan.walkS, async () => {
        if (!(await act(key, order.id, 'arrive'))) {
          done();
          return;
        }
        location.set(m.id, order.zoneId);
        after(plan.workS, async () => {
          if (await act(key, order.id, 'resolve', { note: 'done (simulated)' })) {
            stats.resolved++;
            if (order.role === 'cleaner') opts.onCleaned?.(order.zoneId);
          }
          done();
        });
      });
    });
  }

  async function join(m: SimStaffMember, key: string) {
    const socket: Socket = io(base, { auth: { key }, transports: ['websocket'], reconnectionDelay: 500 });
    sockets.push(socket);
    const supervisor = m.roles.includes('supervisor');
    socket.on(LIVE_EVENTS.notification, (n) => {
      if (!n.to.includes(m.id)) return;
      const orderId = n.orderId;
      if (n.reason === 'assigned') {
        void call(key, 'GET', `/api/v1/work-orders/${orderId}`)
          .then((res) => must(res, `read ${orderId}`))
          .then((o) => {
            const order = o as Order;
            if (order.assignee === m.id && order.status === 'assigned') onAssigned(m, key, order);
          })
          .catch((err: Error) => opts.logger?.warn({ err: err.message }, 'crew could not read its job'));
      } else if (supervisor && n.reason === 'awaiting_verification') {
        after(60 + rng() * 240, async () => {
          if (await act(key, orderId, 'verify')) stats.verified++;
        });
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new Error(`${m.id} could not connect to the cloud's live feed: ${err.message}`)));
    });
  }

  return {
    members,
    async start() {
      for (const m of members) await must(await call(opts.adminKey, 'PUT', `/api/v1/staff/${m.id}`, m), `put ${m.id} on the roster`);
      for (const m of members) await join(m, await keyFor(m));
      opts.logger?.info({ crew: members.length }, 'simulated staff on shift');
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.close();
    },
    stats: () => ({ ...stats }),
  };
}
