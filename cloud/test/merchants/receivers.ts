import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** every request that reached it, complete */
  seen: Seen[];
  /** requests being answered right now (a slow receiver holds them) */
  open: number;
  /** the most that were open at once */
  maxOpen: number;
  host: string;
  port: number;
  /** http://host:port (IPv6 in brackets) */
  origin: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server on a loopback address standing in for a merchant's endpoint or an internal
 * service. `answer` gets each request once its body has arrived; by default it answers 200.
 */
export async function receiver(host: string, answer: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void = (_q, res) => res.end('ok')): Promise<Receiver> {
  const r = { seen: [] as Seen[], open: 0, maxOpen: 0 };
  const server: Server = createServer((req, res) => {
    r.open++;
    r.maxOpen = Math.max(r.maxOpen, r.open);
    res.on('close', () => r.open--);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const seen = { path: req.url ?? '', headers: req.headers, body };
      r.seen.push(seen);
      answer(req, res, seen);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    host,
    port,
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A port nothing listens on (a server was there a moment ago). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const r = await receiver(host);
  await r.close();
  return r.port;
}
