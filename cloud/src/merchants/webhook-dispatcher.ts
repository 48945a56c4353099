import type { Logger } from 'pino';
import type { TimerClock } from '../forecast/scheduler.ts';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetriableStatus, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';
import type { DeliveryAttempt } from '@atrium/shared';
import { OUTCOME } from './delivery-outcome.ts';
import { createAddressPolicy, type AddressPolicy } from './webhook-address.ts';
import { sendWebhook, systemResolve, type Resolve } from './webhook-http.ts';
import { WEBHOOK_HEADERS, signWebhook } from './webhook-sign.ts';
import type { DueDelivery, WebhookStore } from './webhook-store.ts';

/**
 * Sends queued webhook deliveries: signs each attempt, records every attempt, schedules the
 * retry or gives up. The queue is the database (webhook-store.ts), so stopping or crashing
 * loses nothing: whatever was pending, or leased by an attempt that never finished, is due
 * again after a restart. At-least-once, so every request carries an idempotency key that is
 * the same across retries of one alert version.
 *
 * Attempts run side by side up to `concurrency`, at most `perMerchant` of them for one merchant,
 * and a free slot goes to the merchant with the fewest due ahead of it (round-robin in claimDue):
 * a merchant whose receivers hang holds its own slots until they time out, not everyone's.
 */
export interface WebhookDispatcher {
  start(): void;
  stop(): Promise<void>;
  /** Something was queued: look now rather than at the next poll. */
  kick(): void;
  /** Sends what is due now and waits for those attempts; resolves with how many were made (tests call this directly; a no-op once stopped). */
  runDue(): Promise<number>;
}

export interface DeliveryLimits {
  /** attempts in flight at once, all merchants together */
  concurrency: number;
  /** attempts in flight at once for one merchant */
  perMerchant: number;
}

export const DEFAULT_DELIVERY_LIMITS: Readonly<DeliveryLimits> = { concurrency: 32, perMerchant: 4 };

export function createWebhookDispatcher(deps: {
  store: WebhookStore;
  secretOf: (subscriptionId: number) => Promise<string | null>;
  clock: TimerClock;
  logger: Logger;
  policy?: Partial<RetryPolicy>;
  limits?: Partial<DeliveryLimits>;
  /** which addresses deliveries may reach; default: public ones only */
  addresses?: AddressPolicy;
  /** default: the system resolver */
  resolve?: Resolve;
  /** longest sleep between looks at the queue (other instances may queue work) */
  pollMs?: number;
  random?: () => number;
}): WebhookDispatcher {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.policy };
  const limits: DeliveryLimits = { ...DEFAULT_DELIVERY_LIMITS, ...deps.limits };
  const addresses = deps.addresses ?? createAddressPolicy();
  const resolve = deps.resolve ?? systemResolve;
  const pollMs = deps.pollMs ?? 30_000;
  const random = deps.random ?? Math.random;
  const log = deps.logger;

  let started = false;
  let timer: unknown = null;
  /** attempts in flight, all and per merchant */
  const inFlight = new Map<string, number>();
  const attempts = new Set<Promise<void>>();
  /** aborted by stop(): cuts attempts in flight short and stops filling slots */
  let life = new AbortController();
  let made = 0;
  let pumping: Promise<void> | null = null;
  let pumpAgain = false;
  let idle: (() => void)[] = [];

  const attempt = async (d: DueDelivery, signal: AbortSignal): Promise<void> => {
    const n = d.attempts + 1;
    const at = deps.clock.now();
    const t0 = performance.now();
    const secret = await deps.secretOf(d.subscriptionId);
    const record = (a: Omit<DeliveryAttempt, 'attempt' | 'at' | 'durationMs'>, next: Parameters<WebhookStore['recordAttempt']>[2]) =>
      deps.store.recordAttempt(d.id, { attempt: n, at, durationMs: performance.now() - t0, ...a }, next);
    if (!secret) {
      await record({ statusCode: null, outcome: 'rejected', error: OUTCOME.removed }, { status: 'failed', nextAttemptAt: null, lastError: OUTCOME.removed });
      return;
    }
    const ts = Math.floor(at / 1000);
    const result = await sendWebhook({
      url: d.url,
      timeoutMs: p.timeoutMs,
      policy: addresses,
      resolve,
      signal,
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
    if (result.kind === 'refused') {
      // The same URL would be refused again; the operator's log says which delivery and why.
      await record({ statusCode: null, outcome: 'rejected', error: result.reason }, { status: 'failed', nextAttemptAt: null, lastError: result.reason });
      log.warn({ delivery: d.id, merchant: d.merchantId, reason: result.reason }, 'webhook refused by the address policy; not sent');
      return;
    }
    const status = result.kind === 'answered' ? result.status : null;
    const error = result.kind === 'answered' ? (status! >= 200 && status! < 300 ? null : OUTCOME.answered(status!)) : result.reason;
    if (status !== null && status >= 200 && status < 300) {
      await record({ statusCode: status, outcome: 'delivered', error: null }, { status: 'delivered', nextAttemptAt: null, lastError: null });
      log.info({ delivery: d.id, attempt: n, status }, 'webhook delivered');
      return;
    }
    const detail = result.kind === 'failed' ? result.detail : undefined;
    const retriable = status === null || isRetriableStatus(status);
    if (!retriable) {
      await record({ statusCode: status, outcome: 'rejected', error }, { status: 'failed', nextAttemptAt: null, lastError: error });
      log.warn({ delivery: d.id, attempt: n, status }, 'webhook refused by the receiver; not retried');
      return;
    }
    if (n >= p.maxAttempts) {
      await record({ statusCode: status, outcome: 'gave_up', error }, { status: 'failed', nextAttemptAt: null, lastError: error });
      log.warn({ delivery: d.id, attempts: n, error, detail }, 'webhook given up');
      return;
    }
    const retryAfter = result.kind === 'answered' ? parseRetryAfter(result.retryAfter, deps.clock.now()) : null;
    // An attempt cut short by our own shutdown is due again at once, not after a backoff.
    const delay = signal.aborted ? 0 : Math.max(backoffDelayMs(n, p, random), Math.min(retryAfter ?? 0, p.maxRetryAfterMs));
    await record({ statusCode: status, outcome: 'retry', error }, { status: 'pending', nextAttemptAt: deps.clock.now() + delay, lastError: error });
    log.info({ delivery: d.id, attempt: n, error, detail, retryInMs: delay }, 'webhook failed; will retry');
  };

  const busy = () => attempts.size;

  const launch = (d: DueDelivery) => {
    inFlight.set(d.merchantId, (inFlight.get(d.merchantId) ?? 0) + 1);
    const run: Promise<void> = attempt(d, life.signal)
      .catch((err: unknown) => log.error({ err, delivery: d.id }, 'recording a webhook attempt failed'))
      .finally(() => {
        attempts.delete(run);
        const left = (inFlight.get(d.merchantId) ?? 1) - 1;
        if (left > 0) inFlight.set(d.merchantId, left);
        else inFlight.delete(d.merchantId);
        made++;
        // A freed slot may be the one another merchant's delivery is waiting for.
        if (!life.signal.aborted) void pump();
        settle();
      });
    attempts.add(run);
  };

  /** Fills free slots from the queue until it has nothing claimable. */
  const fill = async () => {
    while (!life.signal.aborted) {
      const free = limits.concurrency - busy();
      if (free <= 0) return;
      const now = deps.clock.now();
      const due = await deps.store.claimDue(now, now + p.timeoutMs + 60_000, free, { perMerchant: limits.perMerchant, inFlight });
      if (due.length === 0) return;
      for (const d of due) launch(d);
    }
  };

  const pump = (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        await fill().catch((err: unknown) => log.error({ err }, 'webhook queue unavailable; will look again'));
      } while (pumpAgain && !life.signal.aborted);
    })().finally(() => {
      pumping = null;
      void schedule();
      settle();
    });
    return pumping;
  };

  const settle = () => {
    if (busy() > 0 || pumping) return;
    const waiting = idle;
    idle = [];
    for (const w of waiting) w();
  };

  const schedule = async () => {
    if (!started) return;
    const next = await deps.store.nextDueAt().catch(() => null);
    if (!started) return;
    const now = deps.clock.now();
    // Due but not claimed means every such merchant is at its cap: a finishing attempt pumps again.
    const wait = next === null ? pollMs : next <= now ? Math.min(pollMs, 1000) : Math.min(pollMs, next - now);
    if (timer !== null) deps.clock.clearTimeout(timer);
    timer = deps.clock.setTimeout(() => {
      timer = null;
      void pump();
    }, wait);
  };

  return {
    start() {
      if (started) return;
      started = true;
      if (life.signal.aborted) life = new AbortController();
      void pump();
    },
    async stop() {
      started = false;
      if (timer !== null) deps.clock.clearTimeout(timer);
      timer = null;
      // Attempts in flight are cut short and recorded as due again: a receiver that hangs must not hold up shutdown.
      life.abort();
      await pumping;
      await Promise.all([...attempts]);
    },
    kick() {
      if (started) void pump();
    },
    async runDue() {
      const before = made;
      await pump();
      if (busy() > 0 || pumping) await new Promise<void>((r) => idle.push(r));
      return made - before;
    },
  };
}
