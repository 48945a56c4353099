import { parentPort } from 'node:worker_threads';
import { computeForecasts, type ComputeJob } from './compute.ts';

/** The worker thread's side of worker-compute.ts: one job per message, answered in order. */
const port = parentPort;
if (!port) throw new Error('forecast-thread.ts runs as a worker thread (worker-compute.ts starts it)');
port.on('message', ({ id, job }: { id: number; job: ComputeJob }) => {
  try {
    port.postMessage({ id, forecasts: computeForecasts(job) });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
port.postMessage({ ready: true });
