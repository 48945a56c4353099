import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { LIVE_EVENTS } from '@atrium/shared';
import type { Ingest } from '../ingest/ingest.ts';
import type { ZoneState } from './zone-state.ts';
import type { CloudMetrics } from '../metrics.ts';

/** The live adapter: a new page gets the whole picture, then only the zones that change. */
export function attachLive(server: HttpServer, deps: { zones: ZoneState; ingest: Ingest; metrics: CloudMetrics }): Server {
  const io = new Server(server, { serveClient: true, cors: { origin: false } });
  io.on('connection', (socket) => {
    deps.metrics.liveClients.set(io.engine.clientsCount);
    socket.emit(LIVE_EVENTS.hello, { zones: deps.zones.all() });
    socket.on('disconnect', () => deps.metrics.liveClients.set(io.engine.clientsCount));
  });
  deps.ingest.onZones((zones) => io.emit(LIVE_EVENTS.zones, zones));
  return io;
}
