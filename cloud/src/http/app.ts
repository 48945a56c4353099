import Fastify, { LogController, type FastifyError } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SiteModel } from '@atrium/shared';
import { PUBLIC_DIR } from '@atrium/dashboards';
import type { CloudMetrics } from '../metrics.ts';
import type { ZoneState } from '../live/zone-state.ts';
import type { SeriesQueries } from '../series/queries.ts';
import { siteRoutes } from './routes/site.ts';
import { seriesRoutes } from './routes/series.ts';
import { opsRoutes, type CloudHealth } from './routes/ops.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { workOrderRoutes } from './routes/work-orders.ts';
import { staffRoutes } from './routes/staff.ts';
import { rulesRoutes } from './routes/rules.ts';
import { reportRoutes } from './routes/reports.ts';
import { userRoutes } from './routes/users.ts';
import { authPlugin } from './auth.ts';
import type { DispatchService } from '../ops/dispatch-service.ts';
import type { OpsStore } from '../ops/ops-store.ts';
import type { Users } from '../ops/users.ts';
import type { Forecasting } from '../forecast/forecasting.ts';

export interface HttpDeps {
  logger: Logger;
  site: SiteModel;
  zones: ZoneState;
  queries: SeriesQueries;
  metrics: CloudMetrics;
  health: () => Promise<CloudHealth>;
  dispatch: DispatchService;
  opsStore: OpsStore;
  users: Users;
  clock: () => number;
  forecasting: Forecasting;
}

export const OPENAPI_PATH = '/openapi.json';

/** The REST adapter: validation by the shared zod schemas, one error mapping, no logic of its own. */
export async function createHttpApp(deps: HttpDeps) {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }), logController: quietRequests() }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const detail = err.validation.map((v) => `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${v.message}`).join('; ');
      return reply.code(400).send({ code: 'ATRIUM_INVALID_REQUEST', message: `invalid ${err.validationContext ?? 'request'}: ${detail}` });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ code: err.code ?? 'ATRIUM_INTERNAL', message: status >= 500 && !err.code?.startsWith('ATRIUM_') ? 'internal error; see the cloud log' : err.message });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Atrium cloud API', version: '1' },
      servers: [],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an Atrium API key (atr_…)' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(authPlugin, { principalByKeyHash: deps.users.principalByKeyHash });
  for (const routes of [siteRoutes, seriesRoutes, opsRoutes, alarmRoutes, workOrderRoutes, staffRoutes, rulesRoutes, reportRoutes, userRoutes]) await app.register(routes, deps);
  // Calendar, forecasts, merchants and the staffing plan.
  await app.register(deps.forecasting.routes);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: 'index.html' });
  return app;
}

/** Per-request lines would drown the log (pages poll, Prometheus scrapes); errors are still logged. */
function quietRequests() {
  return new LogController({ disableRequestLogging: true });
}
