import { z } from 'zod';
import { Limit } from './query.ts';
import { ApiError } from './common.ts';

/** One problem with a rules file: the field path, the reason and, for JSON text, the line. */
export const RuleFileIssue = z.object({ path: z.string(), message: z.string(), line: z.number().int().nullable() });
export type RuleFileIssue = z.infer<typeof RuleFileIssue>;

/** A refused rules file: every problem found, so all can be fixed in one edit. */
export const RulesRefused = ApiError.extend({ issues: z.array(RuleFileIssue) });

export const RulesVersionsQuery = z.object({ limit: Limit });
