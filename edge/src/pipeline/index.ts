import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { SiteIndex } from '@atrium/shared';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { Refusals } from '../core/refusals.ts';
import type { DeviceHealth } from '../devices/health.ts';
import type { OutboxGuard } from '../outbox/guard.ts';
import type { Journal } from '../outbox/journal.ts';
import type { TelemetryHold } from '../outbox/telemetry-hold.ts';
import type { EdgeBus } from '../readings/bus.ts';
import type { Collector } from '../readings/collector.ts';
import type { Plausibility } from '../readings/plausibility.ts';
import { acknowledge } from './acknowledge.ts';
import { aggregate } from './aggregate.ts';
import { authenticate } from './authenticate.ts';
import { deviceStatus } from './device-status.ts';
import { journalStep } from './journal.ts';
import { plausible } from './plausible.ts';
import { publishToLocalFlows } from './local-flows.ts';
import { rateLimit } from './rate-limit.ts';
import { answerOnce, PublishPipeline } from './run.ts';
import { validate } from './validate.ts';

export interface PublishPipelineDeps {
  site: SiteIndex;
  limits: { maxPayloadBytes: number; publishRate: number; publishBurst: number; plausibility: Plausibility };
  /** the gateway's clock, which device time is checked against (an accelerated demo passes its own) */
  clock: () => number;
  privacyKey: string;
  health: DeviceHealth;
  journal: Journal;
  guard: OutboxGuard;
  hold: TelemetryHold;
  collector: Collector;
  bus: EdgeBus;
  metrics: EdgeMetrics;
  refusals: Refusals;
  logger: Logger;
  shouldLog: (key: string) => boolean;
}

/** Every device publish, in this order; each step is one file here. */
export function buildPublishPipeline(deps: PublishPipelineDeps) {
  // The budget is charged before anything looks at the payload: a flood of junk spends the
  // device's budget, not the gateway's CPU on parsing it.
  return PublishPipeline.start(rateLimit({ ratePerSecond: deps.limits.publishRate, burst: deps.limits.publishBurst }))
    .then(authenticate({ site: deps.site }))
    .then(validate({ maxPayloadBytes: deps.limits.maxPayloadBytes, privacyKey: deps.privacyKey }))
    .then(plausible({ site: deps.site, limits: deps.limits.plausibility, clock: deps.clock }))
    .then(deviceStatus({ health: deps.health, metrics: deps.metrics }))
    .then(journalStep(deps))
    .then(acknowledge({ metrics: deps.metrics }))
    .then(aggregate({ collector: deps.collector }))
    .then(publishToLocalFlows({ site: deps.site, bus: deps.bus }));
}

/** The pipeline as aedes' publish hook. */
export function authorizePublish(deps: PublishPipelineDeps): NonNullable<Aedes['authorizePublish']> {
  const run = buildPublishPipeline(deps).handler({ refusals: deps.refusals, logger: deps.logger });
  return (client, packet, callback) => {
    // A will published after its device left arrives without a client; its topic still names the device.
    const deviceId = client?.id ?? packet.topic.split('/')[2] ?? '';
    run({ client, packet, deviceId, receivedAt: Date.now(), answer: answerOnce(callback) });
  };
}
