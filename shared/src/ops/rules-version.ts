import { z } from 'zod';
import { SiteId } from '../ids.ts';
import { At } from './time.ts';

/** One version of the site's rules file as saved through the API or adopted from the file. */
export const RulesVersion = z.object({ siteId: SiteId, version: z.number().int().min(1), text: z.string(), savedAt: At, savedBy: z.string().min(1) });
export type RulesVersion = z.infer<typeof RulesVersion>;
export const RulesVersionSummary = RulesVersion.omit({ text: true });
export type RulesVersionSummary = z.infer<typeof RulesVersionSummary>;
