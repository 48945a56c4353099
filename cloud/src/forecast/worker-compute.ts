import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComputeJob, ForecastCompute } from './compute.ts';
import type { SeriesForecast } from './series-forecast.ts';

/**
 * The forecasts on a worker thread, so a refresh of a thousand series leaves the cloud's
 * event loop (ingest, dispatch, the API, live pages) free: the main thread only reads the
 * histories and stores the results. One thread per refresh, ended with it; jobs queue on it
 * in order.
 *
 * The thread runs forecast-thread.ts. Node's worker threads do not inherit the TypeScript
 * loader the cloud runs under, so when this file is TypeScript the thread registers tsx
 * before importing its entry.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(workerData.tsx ? import(workerData.tsx).then((tsx) => tsx.register()) : Promise.resolve()).then(() => import(workerData.entry));
`;

/** tsx's ESM API (its `register()` installs the loader on the calling thread), found through tsx's own export map. */
function tsxApiUrl(): string {
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const target = pkg.exports['./esm/api']?.import?.default;
  if (!target) throw new Error('tsx/esm/api not found: the forecast worker cannot load TypeScript');
  return pathToFileURL(join(dirname(pkgPath), target)).href;
}

export interface WorkerComputeOptions {
  /** the thread's heap limit: a runaway job ends the thread (and fails the refresh) instead of growing the process */
  maxHeapMb?: number;
}

export function workerCompute(opts: WorkerComputeOptions = {}): ForecastCompute {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './forecast-thread.ts' : './forecast-thread.js', import.meta.url).href;
  const tsx = import.meta.url.endsWith('.ts') ? tsxApiUrl() : null;
  const pending = new Map<number, { resolve(f: SeriesForecast[]): void; reject(err: Error): void }>();
  let worker: Worker | undefined;
  let failure: Error | undefined;
  let nextId = 0;

  const failAll = (err: Error) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const start = (): Worker => {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, tsx }, resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 256 } });
    w.on('message', (m: { id: number; forecasts?: SeriesForecast[]; error?: string; ready?: boolean }) => {
      if (m.ready) return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`forecast worker: ${m.error}`));
      else p?.resolve(m.forecasts ?? []);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`forecast worker exited (${code})`)));
    return w;
  };

  return {
    run(job: ComputeJob) {
      if (failure) return Promise.reject(failure);
      worker ??= start();
      const id = nextId++;
      // Each history owns its buffer (history.ts): hand it over instead of copying it.
      const transfer = job.histories.map((h) => h.values.buffer).filter((b, i, all) => b instanceof ArrayBuffer && all.indexOf(b) === i) as ArrayBuffer[];
      return new Promise<SeriesForecast[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, job }, transfer);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new Error('forecast worker closed'));
      if (w) await w.terminate();
    },
  };
}
