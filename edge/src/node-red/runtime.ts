import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { SiteIndex } from '@atrium/shared';
import type { EdgeBus } from '../readings/bus.ts';
import { ensurePrivateDir } from '../core/private-files.ts';
import { createAdminAuth } from './admin-auth.ts';
import type { RedConfig } from './config.ts';
import { createLocalAlarms } from './alarms.ts';
import { createDeviceCommands } from './commands.ts';
import { EdgeError } from '../core/errors.ts';
import { seedExampleFlow } from './example-flow.ts';
import { ADMIN_ROOT, createRedGate } from './gate.ts';
import { registerAtriumNodes } from './nodes.ts';
import { FLOW_FILE, nodeRedSettings } from './settings.ts';
import type { IncomingMessage, NodeRedRuntime, ServerResponse } from './types.ts';

/**
 * `require('node-red')` is one runtime per process (its registry, flows, settings and log are
 * module state), so at most one gateway per process may embed it. This records which one does,
 * so a second gateway fails at construction with a clear error instead of silently sharing
 * (or replacing) the first one's flows. Released on stop: a later gateway may embed it again.
 */
let embeddedBy: string | null = null;

/** A flows file with unknown node types never starts; the gateway does not wait for it longer than this. */
const FLOWS_START_TIMEOUT_MS = 5000;

export interface EmbeddedNodeRed {
  /** Where the HTTP adapter mounts `handle`. */
  readonly root: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Initialises Node-RED on the edge's HTTP server (before it listens) and starts the flows. */
  start(server: Server): Promise<void>;
  stop(): Promise<void>;
}

/** What the runtime needs from the edge's config. */
export interface EmbedConfig {
  readonly gatewayId: string;
  /** Flows live in its node-red/ folder. */
  readonly dataDir: string;
  /** Commands to devices obey the devices' own payload limit. */
  readonly maxPayloadBytes: number;
  readonly red: RedConfig;
}

export function embedNodeRed(deps: {
  config: EmbedConfig;
  site: SiteIndex;
  bus: EdgeBus;
  logger: Logger;
  registry: Registry;
  /** Publishes on the gateway's own broker (device command topics). */
  publish: (topic: string, payload: Buffer) => Promise<void>;
}): EmbeddedNodeRed {
  const { config } = deps;
  if (embeddedBy !== null) {
    throw new EdgeError(
      'ATRIUM_RED_RUNTIME_TAKEN',
      `Node-RED already runs inside gateway "${embeddedBy}" in this process; the runtime is one per process, so run this gateway in its own process or with ATRIUM_RED_ENABLED=false`,
    );
  }
  const secret = config.red.credentialSecret;
  if (secret === undefined) throw new Error('embedNodeRed: ATRIUM_RED_CREDENTIAL_SECRET is required (checked by the edge config)');
  embeddedBy = config.gatewayId;
  const logger = deps.logger.child({ component: 'node-red' });
  const commands = createDeviceCommands({ site: deps.site, publish: deps.publish, maxPayloadBytes: config.maxPayloadBytes, logger, registry: deps.registry });
  const alarms = createLocalAlarms({ site: deps.site, logger, registry: deps.registry });
  // Loaded only when enabled: requiring node-red has process-wide side effects (DNS order, module state).
  const RED = createRequire(import.meta.url)('node-red') as NodeRedRuntime;
  let gate: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let started = false;
  let closeAuth: (() => Promise<void>) | undefined;
  const passwordChecks = new Counter({ name: 'atrium_edge_red_password_checks_total', help: 'Node-RED admin password checks run (each a bcrypt off the main thread)', registers: [deps.registry] });

  return {
    root: ADMIN_ROOT,
    handle(req, res) {
      if (gate) return gate(req, res);
      const err = new EdgeError('ATRIUM_RED_NOT_STARTED', 'Node-RED is not running');
      res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: err.code, message: err.message }));
    },
    async start(server) {
      const auth = await createAdminAuth({ user: config.red.admin.user, password: config.red.admin.password, passwordHash: config.red.admin.passwordHash, onCheck: () => passwordChecks.inc() });
      closeAuth = () => auth.close();
      const userDir = join(config.dataDir, 'node-red');
      // Node-RED writes its flow credentials here with the process umask; the directory keeps them private.
      if (config.dataDir !== ':memory:') ensurePrivateDir(userDir);
      if (await seedExampleFlow(userDir, FLOW_FILE)) logger.info({ userDir }, 'new Node-RED workspace: example flow (CO2 → ventilation) installed');
      RED.init(
        server,
        nodeRedSettings({
          userDir,
          credentialSecret: secret,
          gatewayId: config.gatewayId,
          site: deps.site,
          auth,
          logger,
          hook: { registerNodes: (red) => registerAtriumNodes(red, { site: deps.site, bus: deps.bus, commands, alarms }) },
        }),
      );
      gate = createRedGate({ auth, apps: { admin: RED.httpAdmin, node: RED.httpNode }, logger });
      started = true;
      // RED.start() resolves before the flows run; the gateway counts as started only once they
      // do, so the first device readings already reach them.
      let onStarted = () => {};
      const flowsRunning = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), FLOWS_START_TIMEOUT_MS);
        onStarted = () => {
          clearTimeout(timer);
          resolve(true);
        };
        RED.events.once('flows:started', onStarted);
      });
      await RED.start();
      if (!(await flowsRunning)) {
        RED.events.removeListener('flows:started', onStarted);
        logger.warn({ waitedMs: FLOWS_START_TIMEOUT_MS }, 'Node-RED flows are not running (missing node types or invalid flows?); the editor at /red shows why');
      }
      logger.info({ editor: `${ADMIN_ROOT}/`, userDir }, 'Node-RED running');
    },
    async stop() {
      commands.close();
      try {
        if (started) await RED.stop();
      } finally {
        await closeAuth?.();
        closeAuth = undefined;
        started = false;
        gate = undefined;
        embeddedBy = null;
      }
    },
  };
}
