/**
 * Measures 'max' mode: the whole site for a stretch of sim time against a plain aedes broker
 * running in its own process (so broker and simulator do not share an event loop).
 *   tsx firmware-sim/scripts/bench-max.ts [--duration 1h] [--start 2025-03-08T12:00] [--seed 1] [--broker mqtt://...]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadSiteFile } from '@atrium/shared';
import { parseDuration } from '../src/cli/duration.ts';
import { zonedTimeToUtc } from '../src/local-time.ts';
import { createSimulator } from '../src/simulator.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '1h' },
    start: { type: 'string', default: '2025-03-08T12:00' },
    seed: { type: 'string', default: '1' },
    broker: { type: 'string' },
    port: { type: 'string', default: '18830' },
  },
});
const secret = 'bench-secret-0123456789';
const site = loadSiteFile();
const [date = '', time = '00:00'] = values.start.split('T');
const durationMs = parseDuration(values.duration);
if (durationMs === undefined) throw new Error(`--duration: not a duration: ${values.duration}`);

let child: ChildProcess | undefined;
let url = values.broker;
if (!url) {
  child = fork(fileURLToPath(new URL('./plain-broker.ts', import.meta.url)), ['--port', values.port, '--secret', secret], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child?.stdout?.on('data', (d: Buffer) => (d.toString().includes('plain aedes broker') ? resolve() : undefined));
    child?.once('exit', (code) => reject(new Error(`broker exited ${code}`)));
  });
  url = `mqtt://127.0.0.1:${values.port}`;
}

const sim = createSimulator({ site, brokerUrl: url, secret, speed: 'max', seed: Number(values.seed), start: zonedTimeToUtc(site.timezone, date, time), durationMs });
const t0 = performance.now();
await sim.start();
const t1 = performance.now();
await sim.done;
const t2 = performance.now();
const s = sim.stats();
await sim.stop();
child?.kill('SIGTERM');

const runS = (t2 - t1) / 1000;
console.log(
  JSON.stringify(
    {
      devices: site.devices.length,
      simDuration: values.duration,
      start: new Date(s.startMs).toISOString(),
      connectS: Math.round((t1 - t0) / 10) / 100,
      runS: Math.round(runS * 100) / 100,
      acked: s.messages.acked,
      msgsPerSec: Math.round(s.messages.acked / runS),
      simSpeedup: Math.round(durationMs / 1000 / runS),
      byChannel: s.messages.byChannel,
    },
    null,
    2,
  ),
);
