import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchDispatchLatency, benchRulesThroughput } from './dispatch.ts';
import { benchEdgeMemory, edgeMemoryRows } from './edge-memory.ts';
import { benchEdgeThroughput } from './edge-throughput.ts';
import { benchEngineCompute, benchGatewayStorm, benchStepCost, computeRows, stepRows, stormRows } from './engine-step.ts';
import { benchForecastRefresh, forecastRows } from './forecast-refresh.ts';
import { benchInfluxLatency } from './influx-latency.ts';
import { benchInfluxWrite } from './influx-write.ts';
import { benchLighthouse, lighthouseRows } from './lighthouse.ts';
import { benchLiveLatency } from './live-latency.ts';
import { benchOutbox, outboxRows } from './outbox.ts';
import { benchPageFrames, pageFramesRows } from './page-frames.ts';
import { benchSoak, soakRows } from './soak.ts';
import { progress, writeResult } from './support.ts';

// `npm run bench [-- --quick]`: every figure is measured next to its baseline in the same run.
// Each part adds its rows to the table printed at the end and writes bench/results/<name>.json.
// The soak runs `npm start` itself at `--soak-speed` (default 60×, what a 2-core machine keeps up
// with): a quarter of a simulated day by default (6 min), a tenth with --quick, `--soak-days N`,
// or `--month` (30 days: 12 h at 60×; pick the highest speed whose `keptUp` stays near 1).
// `--only lighthouse,page-frames` runs just those parts (names below); `--profile-dir DIR` keeps
// the page benches' Lighthouse reports and the live page's CPU profile there.
const PARTS = ['edge', 'outbox', 'edge-memory', 'dispatch', 'engine', 'soak', 'forecast-refresh', 'lighthouse', 'page-frames', 'influx'] as const;
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    month: { type: 'boolean', default: false },
    'soak-days': { type: 'string' },
    'soak-speed': { type: 'string', default: '60' },
    only: { type: 'string' },
    'profile-dir': { type: 'string' },
  },
});
const q = values.quick;
const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
if (unknown.length > 0) {
  console.error(`--only: unknown part ${unknown.map((u) => `"${u}"`).join(', ')}; the parts are ${PARTS.join(', ')}`);
  process.exit(2);
}
const want = (part: (typeof PARTS)[number]) => only === undefined || only.includes(part);
const rows: string[] = [];
const written: string[] = [];

if (want('edge')) {
  const throughput = await benchEdgeThroughput({ devices: q ? 20 : 100, perDevice: q ? 100 : 500, window: 8 });
  progress(`edge throughput: ${JSON.stringify(throughput)}`);
  const latency = await benchLiveLatency({ samples: q ? 50 : 300, gapMs: 200 });
  progress(`live latency: ${JSON.stringify(latency)}`);
  written.push(writeResult('edge', { throughput, latency }));
  const vsMosquitto = (r: number | null) => (r === null ? '' : `, ×${r} of mosquitto`);
  rows.push(
    `| plain aedes relay (baseline) | ${throughput.plainAedesRelayPerSecond} msg/s |`,
    `| mosquitto relay (baseline) | ${throughput.mosquittoRelayPerSecond === null ? 'skipped: mosquitto not installed' : `${throughput.mosquittoRelayPerSecond} msg/s`} |`,
    `| edge accepted (auth, ACL, validate, journal to disk with fsync, aggregate) | ${throughput.edgeAcceptedPerSecond} msg/s (×${throughput.ratioAcceptedToPlain} of aedes${vsMosquitto(throughput.ratioAcceptedToMosquitto)}) |`,
    `| edge → cloud stored | ${throughput.edgeStoredPerSecond} msg/s (×${throughput.ratioStoredToPlain} of aedes${vsMosquitto(throughput.ratioStoredToMosquitto)}) |`,
    `| device publish → socket.io update, p50 / p99 | ${latency.p50Ms} ms / ${latency.p99Ms} ms (${latency.received}/${latency.samples} received) |`,
  );
}

if (want('outbox')) {
  const outbox = await benchOutbox({ writeMinutes: q ? 10 : 60, replayMinutes: q ? 30 : 120 });
  written.push(writeResult('outbox', outbox));
  rows.push(...outboxRows(outbox));
}
if (want('edge-memory')) {
  const memory = await benchEdgeMemory({ devices: 2000, settleMs: q ? 2000 : 5000 });
  written.push(writeResult('edge-memory', memory));
  rows.push(...edgeMemoryRows(memory));
}

if (want('dispatch')) {
  const rules = benchRulesThroughput({ minutes: q ? 30 : 240 });
  const dispatch = [];
  for (const copies of [1, 10]) dispatch.push(await benchDispatchLatency({ copies, samples: q ? 10 : 100, gapMs: 300 }));
  written.push(writeResult('dispatch', { rules, dispatch }));
  rows.push(`| rules evaluated (demo mall minutes, shipped rules) | ${rules.shippedRulesPerSecond} observations/s (×${rules.ratioToNoRules} of the engine with no rules) |`);
  for (const d of dispatch) rows.push(`| forced door publish → security order assigned, ${d.devices} devices live, p50 / p99 | ${d.p50Ms} ms / ${d.p99Ms} ms (${d.received}/${d.samples}) |`);
}

if (want('engine')) {
  const stepCost = await benchStepCost({ steps: q ? 10 : 40, openAlarms: [10, 1000, 10_000] });
  const compute = benchEngineCompute({ steps: q ? 10 : 40, openAlarms: [10, 1000, 10_000] });
  const storm = benchGatewayStorm({ copies: q ? [1] : [1, 10] });
  written.push(writeResult('engine', { stepCost, compute, storm }));
  rows.push(...stepRows(stepCost), ...computeRows(compute), ...stormRows(storm));
}

if (want('soak')) {
  const soakDays = values.month ? 30 : values['soak-days'] !== undefined ? Number(values['soak-days']) : q ? 0.1 : 0.25;
  const soak = await benchSoak({ speed: Number(values['soak-speed']), simulatedDays: soakDays, sampleEveryS: q ? 5 : 15 });
  written.push(writeResult('soak', soak));
  rows.push(...soakRows(soak));
}

if (want('forecast-refresh')) {
  const forecast = await benchForecastRefresh({ weeks: q ? 4 : 16, copies: 10 });
  written.push(writeResult('forecast-refresh', forecast));
  rows.push(...forecastRows(forecast));
}

// Needs Debian's chromium (apt-get install chromium). Lighthouse scores the control-room pages on a
// desktop (the wall screen, 1920×1080) and the others on a phone.
if (want('lighthouse')) {
  const pagesScored = await benchLighthouse({ runs: q ? 1 : 3, historyWeeks: 6, reportsDir: values['profile-dir'] });
  written.push(writeResult('lighthouse', pagesScored));
  rows.push(...lighthouseRows(pagesScored));
}

// Debian's chromium again: the live control room's frames while 500 zones change every second.
if (want('page-frames')) {
  const frames = await benchPageFrames({ zones: 500, phaseS: q ? 10 : 15, rounds: 2, ...(values['profile-dir'] !== undefined && { profileDir: values['profile-dir'] }) });
  written.push(writeResult('page-frames', frames));
  rows.push(...pageFramesRows(frames));
}

// Needs Debian's influxd (apt-get install influxdb); without it this part says so and is left out.
if (want('influx') && existsSync('/usr/bin/influxd')) {
  const influx = await benchInfluxWrite({ points: q ? 20_000 : 200_000, batchSizes: [1000, 5000, 10_000], recordsPerUplink: 500, concurrency: 8 });
  written.push(writeResult('influx-write', influx));
  for (const r of influx.runs) rows.push(`| points written to InfluxDB through the adapter, batches of ${r.batchPoints} | ${r.adapterPointsPerSecond} points/s (×${r.ratioAdapterToDirect} of posting the same lines to /write: ${r.directPointsPerSecond}/s) |`);
  const influxLatency = await benchInfluxLatency({ samples: q ? 30 : 200, pollMs: 5, gapMs: 100 });
  written.push(writeResult('influx-latency', influxLatency));
  rows.push(
    `| device publish → queryable via the API, InfluxDB store, p50 / p99 | ${influxLatency.influx.p50Ms} ms / ${influxLatency.influx.p99Ms} ms (embedded store ${influxLatency.embedded.p50Ms} / ${influxLatency.embedded.p99Ms} ms; plain /write → /query ${influxLatency.directWriteToQuery.p50Ms} / ${influxLatency.directWriteToQuery.p99Ms} ms) |`,
  );
} else if (want('influx')) progress('influx: skipped, /usr/bin/influxd is missing (apt-get install influxdb)');

console.log(`\n| measure | value |\n| --- | --- |\n${rows.join('\n')}\n\nwritten to ${written.join(', ')}`);
process.exit(0);
