/**
 * A plain aedes broker that authenticates devices the way the edge does (derived passwords)
 * and nothing else: for simulator tests and for measuring the simulator on its own.
 *   tsx firmware-sim/scripts/plain-broker.ts --port 1883 --secret S
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Aedes, type AedesPublishPacket, type AuthenticateError } from 'aedes';
import { passwordMatches } from '@atrium/shared';

export interface PlainBroker {
  url: string;
  broker: Aedes;
  /** deliveries of device topics, in arrival order */
  onMessage(fn: (topic: string, payload: Buffer, retain: boolean) => void): void;
  /** clients refused at CONNECT */
  refused: string[];
  close(): Promise<void>;
}

export async function startPlainBroker(opts: { secret: string; port?: number; host?: string }): Promise<PlainBroker> {
  const refused: string[] = [];
  const listeners: ((topic: string, payload: Buffer, retain: boolean) => void)[] = [];
  const broker = await Aedes.createBroker({
    // Throughput runs push hundreds of publishes per client through at once.
    concurrency: 1000,
    authenticate: (client, username, password, done) => {
      const ok = username !== undefined && username === client.id && passwordMatches(opts.secret, username, password);
      if (ok) return done(null, true);
      refused.push(client.id);
      const err = Object.assign(new Error('bad username or password'), { returnCode: 4 }) as AuthenticateError;
      done(err, false);
    },
  });
  const deliver = (packet: AedesPublishPacket, cb: () => void) => {
    for (const l of listeners) l(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload)), packet.retain);
    cb();
  };
  await new Promise<void>((r) => broker.subscribe('atrium/#', deliver, r));
  const server: Server = createServer(broker.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    refused,
    onMessage: (fn) => listeners.push(fn),
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
        // Clients that never disconnect would keep server.close() waiting forever.
        for (const s of sockets) s.destroy();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '1883' }, secret: { type: 'string' } } });
  const secret = values.secret ?? process.env.ATRIUM_DEVICE_SECRET;
  if (!secret) {
    console.error('plain-broker: --secret or ATRIUM_DEVICE_SECRET is required');
    process.exit(2);
  }
  const b = await startPlainBroker({ secret, port: Number(values.port), host: '0.0.0.0' });
  console.log(`plain aedes broker on ${b.url}`);
  const stop = () => void b.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
