import { z } from 'zod';
import type { Logger } from 'pino';
import { describeIssues } from '@atrium/shared';
import { createLogThrottle } from '../core/log-throttle.ts';
import { bearerToken, type AdminAuth } from './admin-auth.ts';
import { sourceOf } from './login-limiter.ts';
import { EdgeError } from '../core/errors.ts';
import type { ConnectHandler, IncomingMessage, ServerResponse } from './types.ts';

export const ADMIN_ROOT = '/red';
export const NODE_ROOT = '/red/api';

/**
 * How the edge treats a request under /red before Node-RED sees it:
 * - public: the editor's page shell and static files, and the login scheme: what a browser
 *   needs to show the login dialog. Node-RED serves these to anyone too; they hold no data.
 * - login / revoke: answered by the edge itself (it issues and ends the sessions).
 * - http-node: HTTP-in endpoints of flows, behind HTTP basic auth with the admin credentials.
 * - admin: everything else (flows, nodes, settings, context, credentials…), behind a bearer
 *   token the edge issued.
 */
export type Access = 'public' | 'login' | 'revoke' | 'http-node' | 'admin';

/**
 * Deny by default: only these GETs pass without a token. Node-RED also lets nodes add routes
 * without a permission check; of the core ones only the debug node's static pop-out files
 * (debug/view/*) are needed before login, as the editor loads them with a plain <script>.
 */
const PUBLIC_PATH = /^\/(?:|red\/.+|vendor\/.+|types\/.+|theme(?:\/.*)?|locales\/.+|resources\/.+|icons\/[^/]+\/.+|debug\/view\/.+|favicon\.ico|auth\/login)$/;
/** Dot segments, encoded separators and doubled slashes never count as public: they need a token. */
const ODD_PATH = /(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|\\|\/\//i;

/** `path` is the part after /red, without the query: "/flows", "/auth/token", "/". */
export function classify(method: string, path: string): Access {
  if (path === '/api' || path.startsWith('/api/')) return 'http-node';
  if (method === 'POST' && path === '/auth/token') return 'login';
  if (method === 'POST' && path === '/auth/revoke') return 'revoke';
  if ((method === 'GET' || method === 'HEAD') && PUBLIC_PATH.test(path) && !ODD_PATH.test(path)) return 'public';
  return 'admin';
}

/** What Node-RED's editor (and the OAuth 2 password grant it speaks) posts to /auth/token. */
const LoginRequest = z.object({
  username: z.string().min(1).max(256),
  password: z.string().max(1024),
  grant_type: z.literal('password').optional(),
  client_id: z.string().max(256).optional(),
  scope: z.string().max(256).optional(),
});
const MAX_LOGIN_BODY = 16 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

const sendError = (res: ServerResponse, err: EdgeError, headers: Record<string, string> = {}) => send(res, err.status, { code: err.code, message: err.message }, headers);

async function readBody(req: IncomingMessage, limit: number): Promise<string | EdgeError> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return new EdgeError('ATRIUM_RED_INVALID_LOGIN_REQUEST', `body: larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseLogin(contentType: string | undefined, raw: string): z.infer<typeof LoginRequest> | EdgeError {
  let fields: unknown;
  if ((contentType ?? '').includes('application/json')) {
    try {
      fields = JSON.parse(raw);
    } catch (err) {
      return new EdgeError('ATRIUM_RED_INVALID_LOGIN_REQUEST', `body: not JSON (${(err as Error).message})`);
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(raw));
  }
  const parsed = LoginRequest.safeParse(fields);
  return parsed.success ? parsed.data : new EdgeError('ATRIUM_RED_INVALID_LOGIN_REQUEST', describeIssues(parsed.error));
}

/** Hands a request to one of Node-RED's express apps as if it were mounted at `root`. */
function dispatch(app: ConnectHandler, root: string, req: IncomingMessage, res: ServerResponse): void {
  const original = req.url ?? '/';
  const rest = original.slice(root.length);
  Object.assign(req, { originalUrl: original, url: rest.startsWith('/') ? rest : `/${rest}` });
  app(req, res, (err) => sendError(res, err ? new EdgeError('ATRIUM_RED_NOT_FOUND', (err as Error).message ?? 'request failed') : new EdgeError('ATRIUM_RED_NOT_FOUND', `nothing at ${original.split('?')[0]}`)));
}

const retryAfter = (s: number | undefined): Record<string, string> => (s === undefined ? {} : { 'retry-after': String(s) });

export interface RedApps {
  admin: ConnectHandler;
  node: ConnectHandler;
}

/**
 * The edge's front door to Node-RED: every request under /red passes here first, and only
 * public or authenticated ones go on to Node-RED's apps (whose own adminAuth checks again).
 */
export function createRedGate(deps: { auth: AdminAuth; apps: RedApps; logger: Logger }) {
  const throttle = createLogThrottle(60_000);
  const refuse = (res: ServerResponse, err: EdgeError, access: Access, headers: Record<string, string>) => {
    if (err.code !== 'ATRIUM_RED_UNAUTHENTICATED' || access === 'login' || access === 'http-node') {
      if (throttle.shouldLog(`${access}|${err.code}`)) deps.logger.warn({ code: err.code, access, detail: err.message }, 'Node-RED request refused');
    }
    sendError(res, err, headers);
  };
  const bearerChallenge = { 'www-authenticate': 'Bearer realm="atrium-edge"' };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const path = url.slice(ADMIN_ROOT.length).split('?')[0] ?? '';
    const access = classify(req.method ?? 'GET', path === '' ? '/' : path);
    switch (access) {
      case 'public':
        return dispatch(deps.apps.admin, ADMIN_ROOT, req, res);
      case 'admin':
        if (!deps.auth.verifyToken(bearerToken(req.headers.authorization))) {
          return refuse(res, new EdgeError('ATRIUM_RED_UNAUTHENTICATED', 'a bearer token from POST /red/auth/token is required'), access, bearerChallenge);
        }
        return dispatch(deps.apps.admin, ADMIN_ROOT, req, res);
      case 'http-node': {
        const checked = await deps.auth.verifyBasic(req.headers.authorization, sourceOf(req.socket.remoteAddress));
        if (!checked.ok) return refuse(res, checked.error, access, { 'www-authenticate': 'Basic realm="atrium-edge"', ...retryAfter(checked.retryAfterS) });
        return dispatch(deps.apps.node, NODE_ROOT, req, res);
      }
      case 'login': {
        const raw = await readBody(req, MAX_LOGIN_BODY);
        if (raw instanceof EdgeError) return refuse(res, raw, access, {});
        const body = parseLogin(req.headers['content-type'], raw);
        if (body instanceof EdgeError) return refuse(res, body, access, {});
        const result = await deps.auth.login(body.username, body.password, sourceOf(req.socket.remoteAddress));
        if (!result.ok) return refuse(res, result.error, access, retryAfter(result.retryAfterS));
        deps.logger.info({ user: body.username }, 'Node-RED editor login');
        return send(res, 200, { access_token: result.token, expires_in: result.expiresInS, token_type: 'Bearer' });
      }
      case 'revoke': {
        const token = bearerToken(req.headers.authorization);
        if (!deps.auth.verifyToken(token)) return refuse(res, new EdgeError('ATRIUM_RED_UNAUTHENTICATED', 'a bearer token is required to log out'), access, bearerChallenge);
        deps.auth.revoke(token as string);
        return send(res, 200, undefined);
      }
    }
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: Error) => {
      deps.logger.error({ err: err.message }, 'Node-RED request failed');
      sendError(res, new EdgeError('ATRIUM_RED_INTERNAL', 'request failed'));
    });
  };
}
