import type { z } from 'zod';

/**
 * One line per problem, each naming the field path and the reason, so a rejected payload,
 * config or request can be fixed from the message alone.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** safeParse with the error already rendered for logs, counters and HTTP bodies. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: describeIssues(result.error) };
}
