import { z } from 'zod';

/**
 * Building blocks of query strings and small bodies. Query values arrive as text, so numbers
 * are coerced here rather than in each route.
 */

/** `?status=raised,acknowledged`: a comma-separated list of one enum's values. */
export const csvOf = <const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number][], string> =>
  z
    .string()
    .describe(`comma-separated, any of: ${values.join(', ')}`)
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

/** A time in a query string: epoch milliseconds. */
export const QueryEpochMs = z.coerce.number().int().min(0);
/** How many rows a list answers with. */
export const Limit = z.coerce.number().int().min(1).max(1000).default(100);
/** Free text from a person (a note, a reason), trimmed, bounded. */
export const FreeText = z.string().trim().min(1).max(2000);
/** Text to find in a list (history search): trimmed, bounded, matched as a plain substring, case-insensitive. */
export const SearchText = z.string().trim().min(1).max(100);
/** How many rows of a list to skip (paging through history, newest first), bounded so a page never scans without end. */
export const Offset = z.coerce.number().int().min(0).max(100_000).default(0);
