import { parseArgs } from 'node:util';
import { benchEdgeThroughput } from './edge-throughput.ts';
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

console.log(`
| measure | value |
| --- | --- |
| plain aedes relay (baseline) | ${throughput.plainAedesRelayPerSecond} msg/s |
| edge accepted (auth, ACL, validate, dedupe, aggregate) | ${throughput.edgeAcceptedPerSecond} msg/s (×${throughput.ratioAcceptedToPlain} of baseline) |
| edge → cloud stored | ${throughput.edgeStoredPerSecond} msg/s (×${throughput.ratioStoredToPlain} of baseline) |
| device publish → socket.io update, p50 / p99 | ${latency.p50Ms} ms / ${latency.p99Ms} ms (${latency.received}/${latency.samples} received) |

written to ${path}`);
process.exit(0);
