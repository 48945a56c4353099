import createError from '@fastify/error';

/**
 * The cloud's error catalogue: stable codes, one place. The HTTP status lives with the
 * code; routes throw these and the error handler in http/app.ts renders them.
 */
export const Errors = {
  InvalidRequest: createError<[string]>('ATRIUM_INVALID_REQUEST', 'invalid request: %s', 400),
  ZoneNotFound: createError<[string]>('ATRIUM_ZONE_NOT_FOUND', 'no zone "%s" on this site', 404),
  RangeTooLarge: createError<[number, number]>('ATRIUM_RANGE_TOO_LARGE', 'the query spans %d buckets; at most %d are allowed (widen "every" or narrow from/to)', 400),
  StoreUnavailable: createError<[string]>('ATRIUM_STORE_UNAVAILABLE', 'the series store is unavailable: %s', 503),
  Unauthenticated: createError<[string]>('ATRIUM_UNAUTHENTICATED', 'authentication required: %s', 401),
  Forbidden: createError<[string]>('ATRIUM_FORBIDDEN', 'forbidden: %s', 403),
  ShopNotFound: createError<[string]>('ATRIUM_SHOP_NOT_FOUND', 'no shop "%s" on this site', 404),
} as const;
