import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, RaiseOrderBody, WorkOrder } from '@atrium/shared';
import { dispatchHttpError } from '../../errors.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole } from '../auth.ts';

/** Who may raise a work order by hand: the control room. Staff and merchants ask through them. */
const RAISERS = ['operator', 'supervisor', 'admin'] as const;

/**
 * POST /api/v1/work-orders: the control room raises a work order by hand (a phone call, a
 * camera). The engine creates it (journaled like every command) and dispatches it at once;
 * the answer is the order as stored, with the person who raised it first in its audit trail.
 */
export const workOrderCreateRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.post(
    '/api/v1/work-orders',
    {
      schema: {
        summary: 'Raise a work order by hand (operator, supervisor, admin)',
        body: RaiseOrderBody,
        response: { 201: WorkOrder, ...apiErrors(400, 401, 403, 409, 500, 503) },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, RAISERS);
      const r = await deps.dispatch.command({ kind: 'raise_order', order: req.body, by: p.staffId ?? p.userId });
      if (!r.ok) throw dispatchHttpError(r.error);
      const created = r.effects.find((e) => e.kind === 'work_order' && e.change === 'created');
      if (created?.kind !== 'work_order') throw new Error('dispatch bug: raise_order created no work order');
      // The stored row, as GET answers it: by now it may also be assigned (same step).
      const order = (await deps.opsStore.getOrder(created.order.id)) ?? created.order;
      return reply.code(201).send(order);
    },
  );
};
