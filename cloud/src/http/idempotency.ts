import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../errors.ts';
import type { IdempotencyStore } from './idempotency-store.ts';

/** Sent with a stored result, so a client (and a test) can tell a replay from a first answer. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Runs a change once per `Idempotency-Key` (validated by the route's header schema): the first
 * request's result, success or refusal, is stored and a repeat gets it back without running the
 * change again; the same key with another request is refused (409) naming the key. Without the
 * header the change simply runs. Failures worth retrying (the store unavailable, a bug) are
 * not stored: the key is released so the retry runs.
 */
export async function once<T>(req: FastifyRequest, reply: FastifyReply, store: IdempotencyStore, userId: string, key: string | undefined, run: () => Promise<T>): Promise<T> {
  if (key === undefined) return run();
  const path = req.url.split('?')[0] ?? req.url;
  const request = `${req.method} ${path}`;
  const fingerprint = createHash('sha256').update(JSON.stringify([request, req.body ?? null])).digest('base64url');
  const claim = await store.claim({ userId, key, fingerprint, request, now: Date.now() });
  switch (claim.kind) {
    case 'mismatch':
      throw new Errors.IdempotencyKeyReused(key, claim.request);
    case 'busy':
      throw new Errors.IdempotencyKeyBusy(key);
    case 'done':
      void reply.header(REPLAYED_HEADER, 'true').code(claim.result.status);
      return claim.result.body as T;
    case 'claimed':
      break;
  }
  let result: T;
  try {
    result = await run();
  } catch (err) {
    const e = err as { statusCode?: unknown; code?: unknown; message?: string };
    const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
    // A refusal is the answer to this request (a replay must not apply it later, when it might pass); anything else may be tried again.
    if (status >= 400 && status < 500 && status !== 429 && typeof e.code === 'string') await store.finish(userId, key, { status, body: { code: e.code, message: e.message ?? '' } });
    else await store.release(userId, key).catch(() => undefined);
    throw err;
  }
  await store.finish(userId, key, { status: 200, body: result });
  return result;
}
