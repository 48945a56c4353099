import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ORDER_STATUSES, type Principal, Slug, type WorkOrder, ZoneId } from '@atrium/shared';
import { dispatchError } from '../../dispatch/errors.ts';
import { type OrderAction } from '../../dispatch/work-orders.ts';
import { dispatchHttpError, Errors } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';
import { csvOf, EpochMs, Limit, Note } from '../query.ts';

const OrderParams = z.object({ orderId: z.string().min(1).max(64) });
const Reason = z.object({ reason: Note });

/**
 * What each action needs in its body, and who may take it. Staff actions act as the caller's
 * own roster entry; control-room actions name the caller in the audit trail, and an operator
 * or admin acts with operator authority (dispatcher.ts) since they are not on the roster.
 */
const ACTIONS = {
  accept: { who: 'staff', body: z.object({}).default({}) },
  decline: { who: 'staff', body: Reason },
  arrive: { who: 'staff', body: z.object({}).default({}) },
  resolve: { who: 'staff', body: z.object({ note: Note.optional() }).default({}) },
  assign: { who: 'control', body: z.object({ staffId: Slug, reason: Note.optional() }) },
  unassign: { who: 'control', body: Reason },
  verify: { who: 'control', body: z.object({}).default({}) },
  reopen: { who: 'control', body: Reason },
  cancel: { who: 'control', body: Reason },
} as const;
type ActionName = keyof typeof ACTIONS;

function actionOf(name: ActionName, by: string, body: Record<string, unknown>): OrderAction {
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

export const workOrderRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  const readOne = async (p: Principal, id: string) => {
    const order = await deps.opsStore.getOrder(id);
    if (!order) throw dispatchHttpError(dispatchError('WORK_ORDER_NOT_FOUND', id));
    if (!mayRead(p, order)) throw new Errors.Forbidden(`work order "${id}" is not yours`);
    return order;
  };

  app.get(
    '/api/v1/work-orders',
    {
      schema: {
        summary: 'Work orders, newest first (staff: their own)',
        querystring: z.object({ status: csvOf(ORDER_STATUSES).optional(), assignee: Slug.optional(), type: z.string().optional(), zoneId: ZoneId.optional(), from: EpochMs.optional(), to: EpochMs.optional(), limit: Limit }),
      },
    },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const assignee = p.role === 'staff' ? p.staffId! : req.query.assignee;
      return deps.opsStore.listOrders({ ...req.query, assignee });
    },
  );
  app.get('/api/v1/work-orders/:orderId', { schema: { summary: 'One work order with its audit trail', params: OrderParams } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'staff']);
    return readOne(p, req.params.orderId);
  });

  for (const name of Object.keys(ACTIONS) as ActionName[]) {
    const spec = ACTIONS[name];
    const roles = spec.who === 'staff' ? (['staff', 'supervisor'] as const) : SITE_WIDE;
    app.post(`/api/v1/work-orders/:orderId/${name}`, { schema: { summary: `${name} a work order (${spec.who === 'staff' ? 'the assignee' : 'supervisor or control room'})`, params: OrderParams, body: spec.body } }, async (req) => {
      const p = requireRole(req, roles);
      // Staff act as themselves; an operator or admin without a roster entry acts in the control room's name.
      const by = p.staffId ?? p.userId;
      const authority = spec.who === 'control' && (p.role === 'operator' || p.role === 'admin') ? 'operator' : undefined;
      const r = await deps.dispatch.command({ kind: 'order', orderId: req.params.orderId, action: actionOf(name, by, req.body as Record<string, unknown>), authority });
      if (!r.ok) throw dispatchHttpError(r.error);
      return readOne(p, req.params.orderId);
    });
  }

  app.get('/api/v1/notifications', { schema: { summary: 'Notifications, newest first (staff: their own)', querystring: z.object({ to: Slug.optional(), since: EpochMs.optional(), limit: Limit }) } }, async (req) => {
    const p = requireRole(req, [...SITE_WIDE, 'staff']);
    const to = p.role === 'staff' || p.role === 'supervisor' ? (req.query.to ?? p.staffId!) : req.query.to;
    if (p.role === 'staff' && to !== p.staffId) throw new Errors.Forbidden('staff read only their own notifications');
    return deps.opsStore.notifications({ to, since: req.query.since, limit: req.query.limit });
  });
};
