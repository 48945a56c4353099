import type { z } from 'zod';
import { describeIssues } from '@atrium/shared';
import { Errors } from '../errors.ts';

/**
 * A row read back from the database, parsed through the schema it was written with. A row
 * that does not parse (an old shape nothing migrated, a hand edit, a bug) stops there with
 * ATRIUM_STORED_ROW_INVALID naming the table, the id and the field, never a silent cast that
 * fails later somewhere else.
 */
export function parseRow<S extends z.ZodType>(schema: S, table: string, id: string | number, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Errors.StoredRowInvalid(table, String(id), describeIssues(r.error));
  return r.data;
}
