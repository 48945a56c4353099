import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { SiteIndex } from '@atrium/shared';
import type { AdminAuth } from './admin-auth.ts';
import { ADMIN_ROOT, NODE_ROOT } from './gate.ts';
import { sourceOf } from './login-limiter.ts';
import { nodeRedLogging } from './logging.ts';
import type { AtriumNodeHook, NodeRedSettings } from './types.ts';

export const FLOW_FILE = 'flows.json';
/** edge/nodes: the .cjs/.html pair Node-RED's registry scans for the Atrium node types. */
export const ATRIUM_NODES_DIR = fileURLToPath(new URL('../../nodes/', import.meta.url));

/**
 * Embedded settings: Node-RED reads no settings.js here, so everything a standalone install
 * would take from that file (admin auth, credential secret, roots, logging) is set by the host.
 */
export function nodeRedSettings(opts: {
  userDir: string;
  credentialSecret: string;
  gatewayId: string;
  site: SiteIndex;
  auth: AdminAuth;
  logger: Logger;
  hook: AtriumNodeHook;
}): NodeRedSettings {
  const { auth } = opts;
  const user = { username: auth.user, permissions: '*' as const };
  return {
    userDir: opts.userDir,
    flowFile: FLOW_FILE,
    flowFilePretty: true,
    credentialSecret: opts.credentialSecret,
    httpAdminRoot: ADMIN_ROOT,
    httpNodeRoot: NODE_ROOT,
    httpNodeAuth: { user: auth.user, pass: auth.passwordHash },
    adminAuth: {
      type: 'credentials',
      users: [{ ...user, password: auth.passwordHash }],
      tokens: async (token) => (auth.verifyToken(token) ? user : null),
    },
    // Websocket-in nodes upgrade on the edge's server outside the HTTP gate; they get the same basic auth.
    webSocketNodeVerifyClient: (info, done) => {
      auth.verifyBasic(info.req.headers.authorization, sourceOf(info.req.socket.remoteAddress)).then(
        (o) => done(o.ok, o.ok ? undefined : 401),
        () => done(false, 500),
      );
    },
    nodesDir: [ATRIUM_NODES_DIR],
    logging: nodeRedLogging(opts.logger),
    editorTheme: {
      page: { title: `Atrium edge ${opts.gatewayId} · local flows` },
      header: { title: `Atrium edge ${opts.gatewayId} · ${opts.site.site.name}` },
      tours: false,
    },
    // A gateway installs nothing at run time: its software comes with the Atrium release.
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    functionGlobalContext: {
      atrium: {
        siteId: opts.site.site.id,
        gatewayId: opts.gatewayId,
        zones: opts.site.site.zones.map((z) => ({ id: z.id, name: z.name, kind: z.kind, floorId: z.floorId })),
      },
    },
    // A gateway does not call home.
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: true },
    atrium: opts.hook,
  };
}
