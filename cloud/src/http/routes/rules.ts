import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, apiErrors, RuleSet, RulesRefused, RulesVersionsQuery, RulesVersionSummary } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';

/**
 * The running rules: read them, and replace them (admin). The rules file is kept as the text
 * that was sent, so a refusal can name the line; a refused file leaves the running rules alone.
 */
export const rulesRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  // Scoped to this plugin: the text as sent is kept beside the parsed body, for line numbers.
  const sentText = new WeakMap<FastifyRequest, string>();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    sentText.set(req, text);
    try {
      done(null, JSON.parse(text));
    } catch {
      // Not JSON: the dispatch service names the line of the syntax error.
      done(null, text);
    }
  });

  app.get(
    '/api/v1/rules',
    {
      schema: {
        summary: 'The running rules file as it was saved (version in x-atrium-rules-version)',
        response: { 200: { content: { 'application/json': { schema: RuleSet } } }, ...apiErrors(401, 403, 404, 500) },
      },
    },
    async (req, reply) => {
      requireRole(req, SITE_WIDE);
      const current = await deps.opsStore.currentRules();
      if (!current) return reply.code(404).send({ code: 'ATRIUM_RULES_NOT_FOUND', message: 'no rules loaded yet' });
      // Verbatim, as saved: a string with a JSON content type is sent as it is, not re-serialized.
      return reply.header('x-atrium-rules-version', String(current.version)).type('application/json').send(current.text as unknown as RuleSet);
    },
  );
  app.get(
    '/api/v1/rules/versions',
    { schema: { summary: 'Rules versions, newest first', querystring: RulesVersionsQuery, response: { 200: RulesVersionSummary.array(), ...apiErrors(400, 401, 403, 500) } } },
    async (req) => {
      requireRole(req, SITE_WIDE);
      return deps.opsStore.rulesHistory(req.query.limit);
    },
  );
  app.put(
    '/api/v1/rules',
    {
      // The schema says what the body must be; the check that counts runs in reloadRules, after
      // the role check, against the site and with line numbers, so the route's own verdict is unused.
      attachValidation: true,
      schema: {
        summary: 'Replace the rules (admin); refused with field, line and reason if invalid',
        body: RuleSet,
        response: { 200: RulesVersionSummary, 400: RulesRefused.or(ApiError), ...apiErrors(401, 403, 500, 503) },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, ['admin']);
      const body: unknown = req.body;
      const text = sentText.get(req) ?? (typeof body === 'string' ? body : '');
      const r = await deps.dispatch.reloadRules(text, p.userId);
      if (!r.ok) return reply.code(400).send({ code: r.error.code, message: r.error.message, issues: r.issues });
      const { text: _text, ...summary } = r.version;
      return summary;
    },
  );
};
