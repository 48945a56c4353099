import createError from '@fastify/error';
import { DISPATCH_ERRORS, type DispatchError, type DispatchErrorCode } from './dispatch/errors.ts';

/**
 * The cloud's error catalogue: stable codes, one place. The HTTP status lives with the
 * code; routes throw these and the error handler in http/app.ts renders them.
 */
export const Errors = {
  InvalidRequest: createError<[string]>('ATRIUM_INVALID_REQUEST', 'invalid request: %s', 400),
  ZoneNotFound: createError<[string]>('ATRIUM_ZONE_NOT_FOUND', 'no zone "%s" on this site', 404),
  RangeTooLarge: createError<[number, number]>('ATRIUM_RANGE_TOO_LARGE', 'the query spans %d buckets; at most %d are allowed (widen "every" or narrow from/to)', 400),
  StoreUnavailable: createError<[string]>('ATRIUM_STORE_UNAVAILABLE', 'the series store is unavailable: %s', 503),
  OpsStoreUnavailable: createError<[string]>('ATRIUM_OPS_STORE_UNAVAILABLE', 'the operational store is unavailable: %s', 503),
  StoredRowInvalid: createError<[string, string, string]>('ATRIUM_STORED_ROW_INVALID', 'the %s row "%s" does not match its schema (%s): restore it or migrate it, it was not read', 500),
  MigrationFailed: createError<[number, string, string]>('ATRIUM_MIGRATION_FAILED', 'database migration %d "%s" failed and was rolled back: %s', 500),
  Unauthenticated: createError<[string]>('ATRIUM_UNAUTHENTICATED', 'authentication required: %s', 401),
  Forbidden: createError<[string]>('ATRIUM_FORBIDDEN', 'forbidden: %s', 403),
  RateLimited: createError<[number]>('ATRIUM_RATE_LIMITED', 'too many requests: retry in %d s', 429),
  UserExists: createError<[string]>('ATRIUM_USER_EXISTS', 'a user "%s" exists already', 409),
  UserNotFound: createError<[string]>('ATRIUM_USER_NOT_FOUND', 'no user "%s"', 404),
  // edge gateways' own credentials at the uplink listener (npm run gateways)
  GatewayExists: createError<[string]>('ATRIUM_GATEWAY_EXISTS', 'gateway "%s" has a credential already (rotate issues a new password)', 409),
  GatewayNotProvisioned: createError<[string]>('ATRIUM_GATEWAY_NOT_PROVISIONED', 'gateway "%s" has no credential here (add it first)', 404),
  GatewayUnknown: createError<[string, string]>('ATRIUM_GATEWAY_UNKNOWN', 'no gateway "%s" in the site model (it declares: %s)', 404),
  DatabaseInUse: createError<[string, string]>('ATRIUM_DATABASE_IN_USE', 'the embedded database in %s is open in %s (a running cloud?): stop it first, or use a PostgreSQL server (ATRIUM_DATABASE_URL), which any number of processes may share', 409),
  ShopNotFound: createError<[string]>('ATRIUM_SHOP_NOT_FOUND', 'no shop "%s" on this site', 404),
  // sign-in for people (issue 13); one message for an unknown user and a wrong password, so neither is confirmed
  SignInFailed: createError('ATRIUM_SIGN_IN_FAILED', 'the user name or the password is wrong', 401),
  SignInThrottled: createError<[number]>('ATRIUM_SIGN_IN_THROTTLED', 'too many failed sign-ins: try again in %d s', 429),
  PasswordWrong: createError('ATRIUM_PASSWORD_WRONG', 'currentPassword: is not your current password', 400),
  ResetTokenInvalid: createError('ATRIUM_RESET_TOKEN_INVALID', 'the password reset link is unknown, used or expired: ask an admin for a new one', 400),
  CsrfTokenInvalid: createError('ATRIUM_CSRF_TOKEN_INVALID', 'a signed-in change needs the x-csrf-token header from GET /api/v1/session: reload the page', 403),
  CrossSiteRequest: createError('ATRIUM_CROSS_SITE_REQUEST', 'sign-in is only accepted from Atrium\'s own pages', 403),
  // forecasting, merchant alerts, staffing (issue 5)
  SeriesNotFound: createError<[string, string]>('ATRIUM_SERIES_NOT_FOUND', 'no %s "%s" on this site', 404),
  ForecastNotReady: createError<[string]>('ATRIUM_FORECAST_NOT_READY', 'no forecast for %s yet: the hourly refresh has not run for it', 404),
  CalendarEntryNotFound: createError<[number]>('ATRIUM_CALENDAR_ENTRY_NOT_FOUND', 'no calendar entry %d', 404),
  CalendarEntryExists: createError<[string]>('ATRIUM_CALENDAR_ENTRY_EXISTS', 'the calendar already has %s', 409),
  SubscriptionNotFound: createError<[number]>('ATRIUM_SUBSCRIPTION_NOT_FOUND', 'no alert subscription %d for this shop', 404),
  DeliveryNotFound: createError<[number]>('ATRIUM_DELIVERY_NOT_FOUND', 'no webhook delivery %d for this shop', 404),
  // the staff app's offline queue (issue 14): a work-order action sent again is applied once
  IdempotencyKeyReused: createError<[string, string]>('ATRIUM_IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key "%s" was already used for a different request (%s): use a new key for a new request', 409),
  IdempotencyKeyBusy: createError<[string]>('ATRIUM_IDEMPOTENCY_KEY_BUSY', 'Idempotency-Key "%s": the first request with this key is still being applied; try again in a moment', 409),
  // photos staff take on a job (issue 14)
  PhotoInvalid: createError<[string]>('ATRIUM_PHOTO_INVALID', '%s', 400),
  PhotoUnsupportedType: createError<[string]>('ATRIUM_PHOTO_UNSUPPORTED_TYPE', '%s', 415),
  PhotoTooLarge: createError<[number]>('ATRIUM_PHOTO_TOO_LARGE', 'body: the photo is larger than %d bytes; send a smaller image', 413),
  PhotoLimitReached: createError<[string, number]>('ATRIUM_PHOTO_LIMIT_REACHED', 'work order "%s" has %d photos already, the most it may have', 409),
  PhotoNotNow: createError<[string, string]>('ATRIUM_PHOTO_NOT_NOW', 'work order "%s" is %s: its assignee adds photos while it is accepted, on site or resolved', 409),
  PhotoNotFound: createError<[number]>('ATRIUM_PHOTO_NOT_FOUND', 'no photo %d', 404),
} as const;

/** A refusal a client can wait out: the error handler sends `Retry-After` with it. */
export function retryAfter<E extends Error>(err: E, seconds: number): E & { retryAfterS: number } {
  return Object.assign(err, { retryAfterS: seconds });
}

/**
 * The dispatch engine returns its refusals as data (dispatch/errors.ts); each code becomes a
 * catalogue error here, with the status the engine gave it, so the HTTP mapping stays in one place.
 */
const dispatchHttpErrors = Object.fromEntries(
  Object.entries(DISPATCH_ERRORS).map(([code, entry]) => [code, createError<[string]>(`ATRIUM_${code}`, '%s', entry.status)]),
) as Record<DispatchErrorCode, createError.FastifyErrorConstructor<{ code: string; statusCode: number }, [string]>>;

export function dispatchHttpError(err: DispatchError): Error & { code: string; statusCode: number } {
  const code = err.code.slice('ATRIUM_'.length) as DispatchErrorCode;
  return new dispatchHttpErrors[code](err.message);
}
