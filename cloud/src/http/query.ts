import { z } from 'zod';

/** `?status=raised,acknowledged`: a comma-separated list of one enum's values. */
export const csvOf = <const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number][], string> =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

export const EpochMs = z.coerce.number().int().min(0);
export const Limit = z.coerce.number().int().min(1).max(1000).default(100);
/** Free text from a person (a note, a reason), trimmed, bounded. */
export const Note = z.string().trim().min(1).max(2000);
