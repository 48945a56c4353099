import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface DeviceListenerOptions {
  host: string;
  port: number;
  /** the mqtts listener, when configured */
  tls?: { port: number; certFile: string; keyFile: string };
  /** a client that failed the TLS handshake, e.g. plain MQTT sent to the TLS port */
  onTlsError(err: Error, socket: Socket): void;
  /** a TLS handshake not done in this long is dropped (the login timeout starts after it) */
  handshakeTimeoutMs: number;
}

export interface DeviceListeners {
  mqttPort: number;
  mqttsPort?: number;
  /** Stops accepting; resolves once every connection is gone (the broker ends them). */
  close(): Promise<void>;
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

/** The device-facing sockets: plain MQTT always, MQTT over TLS with the configured certificate. `handle` gets each accepted socket (behind its guard, see gateway.ts). */
export async function listenForDevices(handle: (socket: Socket) => void, opts: DeviceListenerOptions): Promise<DeviceListeners> {
  const servers: Server[] = [createServer(handle)];
  const mqttPort = await listen(servers[0]!, opts.port, opts.host);
  let mqttsPort: number | undefined;
  if (opts.tls) {
    // Read at start so a missing or unreadable file stops the gateway with its path, not the first device.
    const tls = createTlsServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), handshakeTimeout: opts.handshakeTimeoutMs }, handle);
    tls.on('tlsClientError', opts.onTlsError);
    servers.push(tls);
    mqttsPort = await listen(tls, opts.tls.port, opts.host);
  }
  return {
    mqttPort,
    ...(mqttsPort !== undefined && { mqttsPort }),
    close: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}
