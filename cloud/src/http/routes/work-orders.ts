import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type Alarm, apiErrors, Notification, NotificationListQuery, ORDER_ACTION_BODIES, type OrderAction, OrderActionHeaders, type OrderActionKind, OrderCause, OrderListQuery, OrderParams, type Principal, WorkOrder } from '@atrium/shared';
import { describeCause } from '../../dispatch/cause.ts';
import { dispatchError } from '../../dispatch/errors.ts';
import { dispatchHttpError, Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';
import { once } from '../idempotency.ts';
import { parseRuleSet } from '../../rules/load.ts';

/**
 * Who may take each action (its body is ORDER_ACTION_BODIES'). Staff actions act as the
 * caller's own roster entry; control-room actions name the caller in the audit trail, and an
 * operator or admin acts with operator authority (dispatcher.ts) since they are not on the roster.
 */
const WHO: Record<OrderActionKind, 'staff' | 'control'> = {
  accept: 'staff',
  decline: 'staff',
  arrive: 'staff',
  resolve: 'staff',
  assign: 'control',
  unassign: 'control',
  verify: 'control',
  reopen: 'control',
  cancel: 'control',
};

function actionOf(name: OrderActionKind, by: string, body: Record<string, unknown>): OrderAction {
  const reason = typeof body.reason === 'string' ? body.reason : '';
  switch (name) {
    case 'accept':
    case 'arrive':
      return { kind: name, by };
    case 'resolve':
      return { kind: 'resolve', by, ...(typeof body.note === 'string' ? { note: body.note } : {}) };
    case 'verify':
      return { kind: 'verify', by, method: 'supervisor' };
    case 'assign':
      return { kind: 'assign', by, staffId: String(body.staffId), ...(reason ? { reason } : {}) };
    case 'decline':
    case 'unassign':
    case 'reopen':
    case 'cancel':
      return { kind: name, by, reason };
  }
}

/** Staff see the orders that are or were theirs; the control room sees all. */
function mayRead(p: Principal, o: WorkOrder): boolean {
  if (SITE_WIDE.includes(p.role)) return true;
  return p.staffId !== null && (o.assignee === p.staffId || o.history.some((h) => h.staffId === p.staffId));
}

/** A work order the caller may read: 404 for none, 403 for another member of staff's. */
export async function readableOrder(opsStore: HttpDeps['opsStore'], p: Principal, id: string): Promise<WorkOrder> {
  const order = await opsStore.getOrder(id);
  if (!order) throw dispatchHttpError(dispatchError('WORK_ORDER_NOT_FOUND', id));
  if (!mayRead(p, order)) throw new Errors.Forbidden(`work order "${id}" is not yours`);
  return order;
}

export const workOrderRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  const readOne = (p: Principal, id: string) => readableOrder(deps.opsStore, p, id);

  app.get(
    '/api/v1/work-orders',
    { schema: { summary: 'Work orders, newest first (staff: their own)', querystring: OrderListQuery, response: { 200: WorkOrder.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const assignee = p.role === 'staff' ? p.staffId! : req.query.assignee;
      return deps.opsStore.listOrders({ ...req.query, assignee });
    },
  );
  app.get(
    '/api/v1/work-orders/:orderId',
    { schema: { summary: 'One work order with its audit trail', params: OrderParams, response: { 200: WorkOrder, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      return readOne(p, req.params.orderId);
    },
  );

  app.get(
    '/api/v1/work-orders/:orderId/cause',
    { schema: { summary: 'What raised a work order, in words: its alarms, their readings and rules (staff: their own orders)', params: OrderParams, response: { 200: OrderCause, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const order = await readOne(p, req.params.orderId);
      const [alarms, rules] = await Promise.all([Promise.all(order.alarmIds.map((id) => deps.opsStore.getAlarm(id))), deps.opsStore.currentRules()]);
      const parsed = rules ? parseRuleSet(rules.text) : null;
      return describeCause(order, alarms.filter((a): a is Alarm => a !== null), parsed?.ok ? parsed.ruleSet : null);
    },
  );

  for (const name of Object.keys(WHO) as OrderActionKind[]) {
    const who = WHO[name];
    const roles = who === 'staff' ? (['staff', 'supervisor'] as const) : SITE_WIDE;
    app.post(
      `/api/v1/work-orders/:orderId/${name}`,
      {
        schema: {
          summary: `${name} a work order (${who === 'staff' ? 'the assignee' : 'supervisor or control room'})`,
          description: 'With an Idempotency-Key header the first result is kept for a day: the same key again returns it without acting twice; the same key with another request is refused (409).',
          params: OrderParams,
          headers: OrderActionHeaders,
          body: ORDER_ACTION_BODIES[name],
          response: { 200: WorkOrder, ...apiErrors(400, 401, 403, 404, 409, 500, 503) },
        },
      },
      async (req, reply) => {
        const p = requireRole(req, roles);
        // Staff act as themselves; an operator or admin without a roster entry acts in the control room's name.
        const by = p.staffId ?? p.userId;
        const authority = who === 'control' && (p.role === 'operator' || p.role === 'admin') ? 'operator' : undefined;
        return once(req, reply, deps.idempotency, p.userId, req.headers['idempotency-key'], async () => {
          const r = await deps.dispatch.command({ kind: 'order', orderId: req.params.orderId, action: actionOf(name, by, req.body as Record<string, unknown>), authority });
          if (!r.ok) throw dispatchHttpError(r.error);
          return readOne(p, req.params.orderId);
        });
      },
    );
  }

  app.get(
    '/api/v1/notifications',
    { schema: { summary: 'Notifications, newest first (staff: their own)', querystring: NotificationListQuery, response: { 200: Notification.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const to = p.role === 'staff' || p.role === 'supervisor' ? (req.query.to ?? p.staffId!) : req.query.to;
      if (p.role === 'staff' && to !== p.staffId) throw new Errors.Forbidden('staff read only their own notifications');
      return deps.opsStore.notifications({ to, since: req.query.since, limit: req.query.limit });
    },
  );
};
