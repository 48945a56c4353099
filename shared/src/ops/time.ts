import { z } from 'zod';

/**
 * A time inside the operations records: epoch milliseconds on the site's clock. Looser than
 * EpochMs (device clocks) on purpose: the engine's clock is the site's, which in a replay or
 * a test may be any integer, and a stored record must never become unreadable for it.
 */
export const At = z.number().int('must be an integer number of epoch milliseconds');
export type At = z.infer<typeof At>;

/** Ids the engine hands out (`al-12`, `wo-7`): unique within a site, not slugs people chose. */
export const RecordId = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "-" or "_"');
