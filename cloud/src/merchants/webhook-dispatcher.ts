import type { Logger } from 'pino';
import type { TimerClock } from '../forecast/scheduler.ts';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetriableStatus, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';
import type { DeliveryAttempt } from '@atrium/shared';
import { WEBHOOK_HEADERS, signWebhook } from './webhook-sign.ts';
import type { DueDelivery, WebhookStore } from './webhook-store.ts';

/**
 * Sends queued webhook deliveries: signs each attempt, records every attempt, schedules the
 * retry or gives up. The queue is the database (webhook-store.ts), so stopping or crashing
 * loses nothing: whatever was pending, or leased by an attempt that never finished, is due
 * again after a restart. At-least-once, so every request carries an idempotency key that is
 * the same across retries of one alert version.
 */
export interface WebhookDispatcher {
  start(): void;
  stop(): Promise<void>;
  /** Something was queued: look now rather than at the next poll. */
  kick(): void;
  /** Sends what is due now; resolves with how many attempts were made (tests and the bench call this directly). */
  runDue(): Promise<number>;
}

const BATCH = 20;

export function createWebhookDispatcher(deps: {
  store: WebhookStore;
  secretOf: (subscriptionId: number) => Promise<string | null>;
  clock: TimerClock;
  logger: Logger;
  policy?: Partial<RetryPolicy>;
  /** longest sleep between looks at the queue (other instances may queue work) */
  pollMs?: number;
  random?: () => number;
}): WebhookDispatcher {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.policy };
  const pollMs = deps.pollMs ?? 30_000;
  const random = deps.random ?? Math.random;
  const log = deps.logger;
  let timer: unknown = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  const attempt = async (d: DueDelivery): Promise<void> => {
    const n = d.attempts + 1;
    const at = deps.clock.now();
    const started = performance.now();
    const secret = await deps.secretOf(d.subscriptionId);
    const record = (a: Omit<DeliveryAttempt, 'attempt' | 'at' | 'durationMs'>, next: Parameters<WebhookStore['recordAttempt']>[2]) =>
      deps.store.recordAttempt(d.id, { attempt: n, at, durationMs: performance.now() - started, ...a }, next);
    if (!secret) {
      await record({ statusCode: null, outcome: 'rejected', error: 'the subscription or its webhook was removed' }, { status: 'failed', nextAttemptAt: null, lastError: 'subscription removed' });
      return;
    }
    const ts = Math.floor(at / 1000);
    let status: number | null = null;
    let retryAfter: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(p.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Atrium-Webhooks/1',
          [WEBHOOK_HEADERS.event]: d.event,
          [WEBHOOK_HEADERS.delivery]: String(d.id),
          [WEBHOOK_HEADERS.idempotencyKey]: d.idempotencyKey,
          [WEBHOOK_HEADERS.timestamp]: String(ts),
          [WEBHOOK_HEADERS.signature]: signWebhook(secret, ts, d.body),
        },
        body: d.body,
      });
      status = res.status;
      retryAfter = parseRetryAfter(res.headers.get('retry-after'), deps.clock.now());
      await res.body?.cancel(); // the answer's body is not ours to read; free the connection
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${p.timeoutMs} ms` : `${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`;
    }
    if (status !== null && status >= 200 && status < 300) {
      await record({ statusCode: status, outcome: 'delivered', error: null }, { status: 'delivered', nextAttemptAt: null, lastError: null });
      log.info({ delivery: d.id, attempt: n, status }, 'webhook delivered');
      return;
    }
    const retriable = status === null || isRetriableStatus(status);
    if (!retriable) {
      await record({ statusCode: status, outcome: 'rejected', error }, { status: 'failed', nextAttemptAt: null, lastError: error });
      log.warn({ delivery: d.id, attempt: n, status }, 'webhook refused by the receiver; not retried');
      return;
    }
    if (n >= p.maxAttempts) {
      await record({ statusCode: status, outcome: 'gave_up', error }, { status: 'failed', nextAttemptAt: null, lastError: error });
      log.warn({ delivery: d.id, attempts: n, error }, 'webhook given up');
      return;
    }
    const delay = Math.max(backoffDelayMs(n, p, random), Math.min(retryAfter ?? 0, p.maxRetryAfterMs));
    await record({ statusCode: status, outcome: 'retry', error }, { status: 'pending', nextAttemptAt: deps.clock.now() + delay, lastError: error });
    log.info({ delivery: d.id, attempt: n, error, retryInMs: delay }, 'webhook failed; will retry');
  };

  const runOnce = async (): Promise<number> => {
    let sent = 0;
    for (;;) {
      const now = deps.clock.now();
      const due = await deps.store.claimDue(now, now + p.timeoutMs + 60_000, BATCH);
      if (due.length === 0) return sent;
      await Promise.all(due.map((d) => attempt(d).catch((err: unknown) => log.error({ err, delivery: d.id }, 'recording a webhook attempt failed'))));
      sent += due.length;
    }
  };

  const schedule = async () => {
    if (stopped) return;
    const next = await deps.store.nextDueAt().catch(() => null);
    if (stopped) return;
    const now = deps.clock.now();
    const wait = next === null ? pollMs : Math.min(pollMs, Math.max(0, next - now));
    if (timer !== null) deps.clock.clearTimeout(timer);
    timer = deps.clock.setTimeout(() => {
      timer = null;
      void loop();
    }, wait);
  };

  const runDue = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((err: unknown) => {
        log.error({ err }, 'webhook queue unavailable; will look again');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const loop = async () => {
    do {
      again = false;
      await runDue();
    } while (again && !stopped);
    await schedule();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer !== null) deps.clock.clearTimeout(timer);
      timer = null;
      await running;
    },
    kick() {
      if (stopped) return;
      if (running) again = true;
      else void loop();
    },
    runDue,
  };
}
