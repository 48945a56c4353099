import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';
import { Limit } from '../query.ts';

/**
 * The running rules: read them, and replace them (admin). The body is the rules file itself,
 * kept as text so a refusal can name the line; a refused file leaves the running rules alone.
 */
export const rulesRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  // Scoped to this plugin: elsewhere JSON bodies are parsed as usual.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/api/v1/rules', { schema: { summary: 'The running rules file and its version' } }, async (req, reply) => {
    requireRole(req, SITE_WIDE);
    const current = await deps.opsStore.currentRules();
    if (!current) return reply.code(404).send({ code: 'ATRIUM_RULES_NOT_FOUND', message: 'no rules loaded yet' });
    return reply.header('x-atrium-rules-version', String(current.version)).type('application/json').send(current.text);
  });
  app.get('/api/v1/rules/versions', { schema: { summary: 'Rules versions, newest first', querystring: z.object({ limit: Limit }) } }, async (req) => {
    requireRole(req, SITE_WIDE);
    return deps.opsStore.rulesHistory(req.query.limit);
  });
  app.put('/api/v1/rules', { schema: { summary: 'Replace the rules (admin); refused with field, line and reason if invalid', body: z.string().min(1) } }, async (req, reply) => {
    const p = requireRole(req, ['admin']);
    const r = await deps.dispatch.reloadRules(req.body, p.userId);
    if (!r.ok) return reply.code(400).send({ code: r.error.code, message: r.error.message, issues: r.issues });
    return { version: r.version.version, savedAt: r.version.savedAt, savedBy: r.version.savedBy };
  });
};
