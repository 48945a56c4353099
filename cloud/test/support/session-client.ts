import { request } from 'node:http';

/**
 * A client that behaves as a page does: it keeps the session cookie the cloud sets, and sends
 * the CSRF token it was given with every change. `localAddress` (127.0.0.x) makes it a
 * different source address on loopback, for the sign-in throttle.
 */
export interface SessionAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface SessionClient {
  call(method: string, path: string, body?: unknown, opts?: { csrf?: string | null; headers?: Record<string, string> }): Promise<SessionAnswer>;
  /** signs in, keeping the cookie and the CSRF token; answers the sign-in's status */
  signIn(userId: string, password: string): Promise<SessionAnswer>;
  readonly cookie: string | null;
  csrf: string | null;
}

export function sessionClient(base: () => string, localAddress = '127.0.0.1'): SessionClient {
  let cookie: string | null = null;
  const client: SessionClient = {
    csrf: null,
    get cookie() {
      return cookie;
    },
    call(method, path, body, opts = {}) {
      const csrf = opts.csrf === undefined ? client.csrf : opts.csrf;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          `${base()}${path}`,
          {
            method,
            localAddress,
            headers: {
              ...(cookie ? { cookie } : {}),
              ...(csrf ? { 'x-csrf-token': csrf } : {}),
              ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
              ...opts.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              for (const c of res.headers['set-cookie'] ?? []) {
                const [pair] = c.split(';');
                if (!pair?.startsWith('atrium_session=')) continue;
                // an Expires in the past clears it, as a browser would
                cookie = /expires=Thu, 01 Jan 1970/i.test(c) || pair === 'atrium_session=' ? null : pair;
              }
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : {}) as Record<string, unknown> });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    async signIn(userId, password) {
      const r = await client.call('POST', '/api/v1/session', { userId, password }, { csrf: null });
      if (r.status === 200) client.csrf = r.body.csrfToken as string;
      return r;
    },
  };
  return client;
}
