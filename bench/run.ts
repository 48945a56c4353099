import { parseArgs } from 'node:util';
import { benchEdgeThroughput } from './edge-throughput.ts';
import { existsSync } from 'node:fs';
import { benchInfluxWrite } from './influx-write.ts';
import { benchLiveLatency } from './live-latency.ts';
import { progress, writeResult } from './support.ts';

// `npm run bench [-- --quick]`: every figure is measured next to its baseline in the same run.
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const q = values.quick;

const throughput = await benchEdgeThroughput({ devices: q ? 20 : 100, perDevice: q ? 100 : 500, window: 8 });
progress(`edge throughput: ${JSON.stringify(throughput)}`);
const latency = await benchLiveLatency({ samples: q ? 50 : 300, gapMs: 200 });
progress(`live latency: ${JSON.stringify(latency)}`);
const path = writeResult('edge', { throughput, latency });
// Needs Debian's influxd (apt-get install influxdb); without it this part says so and is left out.
const influx = existsSync('/usr/bin/influxd')
  ? await benchInfluxWrite({ points: q ? 20_000 : 200_000, batchSizes: [1000, 5000, 10_000], recordsPerUplink: 500, concurrency: 8 })
  : undefined;
if (influx) writeResult('influx-write', influx);
else progress('influx write: skipped, /usr/bin/influxd is missing (apt-get install influxdb)');

console.log(`
| measure | value |
| --- | --- |
| plain aedes relay (baseline) | ${throughput.plainAedesRelayPerSecond} msg/s |
| edge accepted (auth, ACL, validate, journal to disk with fsync, aggregate) | ${throughput.edgeAcceptedPerSecond} msg/s (×${throughput.ratioAcceptedToPlain} of baseline) |
| edge → cloud stored | ${throughput.edgeStoredPerSecond} msg/s (×${throughput.ratioStoredToPlain} of baseline) |
| device publish → socket.io update, p50 / p99 | ${latency.p50Ms} ms / ${latency.p99Ms} ms (${latency.received}/${latency.samples} received) |

written to ${path}${influx ? `\n\nInfluxDB writes (adapter vs straight /write, same run):\n${JSON.stringify(influx.runs, null, 1)}` : ''}`);
process.exit(0);
