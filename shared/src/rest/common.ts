import { z } from 'zod';

/** What every route shares: the error answer, the empty answer and the empty body. */

/**
 * Every refusal and failure the cloud's REST API answers with: a stable code (`ATRIUM_…`, one
 * catalogue per package) and a message that names the field and the reason.
 */
export const ApiError = z.object({ code: z.string().min(1), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 429, 500, 503] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

/** The error responses a route can answer, each in the one error shape: `{ ...apiErrors(401, 403, 500) }`. */
export function apiErrors<const S extends ErrorStatus>(...statuses: S[]): { [K in S]: typeof ApiError } {
  return Object.fromEntries(statuses.map((s) => [s, ApiError])) as { [K in S]: typeof ApiError };
}

/** 204: no body (documented without content). */
export const NoContent = z.undefined();

/**
 * A body that may be left out, for bodies whose fields are all optional: fastify hands a
 * missing body over as null, the handler always gets an object.
 */
export const omittable = <S extends z.ZodObject>(body: S) => body.nullish().transform((b) => b ?? ({} as z.output<S>));

/** The body of an action that takes no fields (accept, arrive, rotate a key): none, or `{}`. */
export const EmptyBody = omittable(z.strictObject({}));

/** A text answer (Prometheus metrics, a CSV download); the route declares its media type. */
export const TextBody = z.string();
