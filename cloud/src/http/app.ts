import Fastify, { LogController, type FastifyError } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CloudHealth, SiteModel } from '@atrium/shared';
import { PUBLIC_DIR } from '@atrium/dashboards';
import type { CloudMetrics } from '../metrics.ts';
import type { ZoneState } from '../live/zone-state.ts';
import type { SiteClock } from '../live/site-clock.ts';
import type { SeriesQueries } from '../series/queries.ts';
import { siteRoutes } from './routes/site.ts';
import { seriesRoutes } from './routes/series.ts';
import { opsRoutes } from './routes/ops.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { workOrderRoutes } from './routes/work-orders.ts';
import { workOrderCreateRoutes } from './routes/work-order-create.ts';
import { staffRoutes } from './routes/staff.ts';
import { rulesRoutes } from './routes/rules.ts';
import { reportRoutes } from './routes/reports.ts';
import { userRoutes } from './routes/users.ts';
import { calendarRoutes } from './routes/calendar.ts';
import { forecastRoutes } from './routes/forecast.ts';
import { merchantRoutes } from './routes/merchants.ts';
import { staffingRoutes } from './routes/staffing.ts';
import { controlRoutes } from './routes/control.ts';
import { photoRoutes } from './routes/photos.ts';
import type { PhotoStore } from '../ops/photo-store.ts';
import type { DeviceReports } from '../control/device-reports.ts';
import { vendorRoutes } from './vendor.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { authPlugin, type AuthDeps } from './auth.ts';
import { sessionRoutes } from './routes/session.ts';
import type { SessionSettings } from './sessions.ts';
import type { Accounts } from '../auth/accounts.ts';
import { DEFAULT_RATE_LIMIT, protection } from './protection.ts';
import type { HttpRateLimit } from '../config.ts';
import type { DispatchService } from '../ops/dispatch-service.ts';
import type { OpsStore } from '../ops/ops-store.ts';
import type { Users } from '../ops/users.ts';
import type { Forecasting } from '../forecasting.ts';

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
  /** results of work-order actions sent with an Idempotency-Key (the staff app's offline queue) */
  idempotency: IdempotencyStore;
  /** the site clock with its measured rate, for pages' countdowns */
  siteClock: SiteClock;
  forecasting: Forecasting;
  /** what devices last reported about themselves (battery, last will), for device health */
  deviceReports: DeviceReports;
  /** unset: DEFAULT_RATE_LIMIT */
  rateLimit?: HttpRateLimit;
  /** Prometheus' bearer token for /metrics; unset: admins' API keys only */
  metricsToken?: string | undefined;
  /** photos staff take on work orders */
  photos: PhotoStore;
  /** people's sign-in: passwords, sessions and their lifetimes */
  accounts: Accounts;
  sessions: SessionSettings;
}

export const OPENAPI_PATH = '/openapi.json';

export type ForecastingRouteDeps = Pick<HttpDeps, 'site' | 'queries' | 'forecasting'>;

/** Calendar, forecasts, merchants and the staffing plan: the forecasting unit's routes. */
export const FORECASTING_ROUTES: readonly FastifyPluginAsyncZod<ForecastingRouteDeps>[] = [calendarRoutes, forecastRoutes, merchantRoutes, staffingRoutes];

/**
 * What every app the cloud serves starts from, production's and each test's alike: validation
 * by the shared zod schemas, one error mapping, the OpenAPI document and API-key auth. Route
 * plugins registered on it are served the way the cloud serves them.
 */
export async function createApiApp(deps: AuthDeps & { logger: Logger; rateLimit?: HttpRateLimit | undefined }) {
  // behind a proxy, set trustProxy there; the cloud's own listener sees the client's address
  // pluginTimeout: a loaded host (CI beside other jobs) can take longer than the default 10 s to start the plugins
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }), logController: quietRequests(), pluginTimeout: 60_000 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Once the server stops listening (a shutdown), an answer still on its way hangs up after
  // itself: otherwise a page's keep-alive connection holds the stop for the 72 s keep-alive timeout.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (!app.server.listening) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const detail = err.validation.map((v) => `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${v.message}`).join('; ');
      return reply.code(400).send({ code: 'ATRIUM_INVALID_REQUEST', message: `invalid ${err.validationContext ?? 'request'}: ${detail}` });
    }
    const status = err.statusCode ?? 500;
    const wait = (err as { retryAfterS?: unknown }).retryAfterS;
    if (typeof wait === 'number') void reply.header('retry-after', String(wait));
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ code: err.code ?? 'ATRIUM_INTERNAL', message: status >= 500 && !err.code?.startsWith('ATRIUM_') ? 'internal error; see the cloud log' : err.message });
  });

  // Before any route, so every route and the pages get it. Brotli or gzip only (no deflate's
  // zlib-or-raw ambiguity); answers under a packet are sent as they are, where compressing
  // saves nothing. Request bodies are not inflated: nothing sends them compressed, and a small
  // compressed body could make the cloud inflate a large one.
  await app.register(fastifyCompress, { encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Atrium cloud API', version: '1' },
      servers: [],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an Atrium API key (atr_…), for machines and scripts' },
          session: { type: 'apiKey', in: 'cookie', name: 'atrium_session', description: 'a signed-in person (POST /api/v1/session); changes also need the x-csrf-token header' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(authPlugin, { principalByKeyHash: deps.principalByKeyHash, sessions: deps.sessions, now: deps.now });
  await app.register(protection, { limits: deps.rateLimit ?? DEFAULT_RATE_LIMIT });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export type ApiApp = Awaited<ReturnType<typeof createApiApp>>;

/** The REST adapter: every route and the pages on the base app; no logic of its own. */
export async function createHttpApp(deps: HttpDeps) {
  const app = await createApiApp({
    logger: deps.logger,
    principalByKeyHash: deps.users.principalByKeyHash,
    rateLimit: deps.rateLimit,
    sessions: { ...deps.sessions, principalById: deps.users.principalById },
  });
  await app.register(sessionRoutes, { accounts: deps.accounts, sessionMaxAgeMs: deps.sessions.maxAgeMs, now: Date.now });
  for (const routes of [siteRoutes, seriesRoutes, opsRoutes, alarmRoutes, workOrderRoutes, workOrderCreateRoutes, staffRoutes, rulesRoutes, reportRoutes, userRoutes, ...FORECASTING_ROUTES]) await app.register(routes, deps);
  await app.register(controlRoutes, deps);
  await app.register(photoRoutes, deps);
  await app.register(vendorRoutes);
  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: 'index.html' });
  return app;
}

/** Per-request lines would drown the log (pages poll, Prometheus scrapes); errors are still logged. */
function quietRequests() {
  return new LogController({ disableRequestLogging: true });
}
