import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Node-RED's settings take bcrypt hashes, and bcryptjs is pure JavaScript: a compare blocks
 * whichever thread runs it for tens of milliseconds. It runs on one worker thread, so logins
 * (wrong ones included) never stall the gateway's event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

export interface Bcrypt {
  hash(s: string, rounds: number): Promise<string>;
  compare(s: string, hash: string): Promise<boolean>;
}

/** Node-RED's own bcrypt (bcryptjs is its dependency), so the edge checks the hash exactly as Node-RED does. */
export function nodeRedBcryptPath(): string {
  const fromNodeRed = createRequire(createRequire(import.meta.url).resolve('node-red/package.json'));
  return fromNodeRed.resolve('bcryptjs');
}

export function nodeRedBcrypt(): Bcrypt {
  return createRequire(import.meta.url)(nodeRedBcryptPath()) as Bcrypt;
}

export interface OffThreadCompare {
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

export function offThreadCompare(): OffThreadCompare {
  const bcryptPath = nodeRedBcryptPath();
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(ok: boolean): void; reject(err: Error): void }>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    // An idle checker must not keep the process alive.
    w.unref();
    w.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
      pending.get(id)?.resolve(ok);
      pending.delete(id);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`password worker exited (${code})`)));
    return w;
  };

  return {
    compare(password, hash) {
      worker ??= start();
      const id = nextId++;
      const w = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, password, hash });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w !== undefined) await w.terminate();
    },
  };
}
