import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { Slug, commandTopic, type SiteIndex } from '@atrium/shared';
import { createLogThrottle } from '../core/log-throttle.ts';
import { failed, type Failed, type Outcome } from '../core/errors.ts';

export interface DeviceCommand {
  deviceId: string;
  command: string;
  /** Sent as JSON; a device's firmware defines what it accepts for each command. */
  payload: unknown;
}

export interface DeviceCommands {
  /** Publishes to atrium/{site}/{device}/cmd/{command} at QoS 1; resolves once the broker has queued it. */
  send(cmd: DeviceCommand): Promise<Outcome>;
  /** After this, sends are refused: the broker is going away. */
  close(): void;
}

/**
 * Local logic talking back to devices. The gateway's broker is the only way in, so a command
 * is refused here, with a reason, for a device the site does not have or a payload a device
 * could not have sent itself.
 */
export function createDeviceCommands(deps: {
  site: SiteIndex;
  publish: (topic: string, payload: Buffer) => Promise<void>;
  maxPayloadBytes: number;
  logger: Logger;
  registry: Registry;
}): DeviceCommands {
  const sent = new Counter({
    name: 'atrium_edge_device_commands_total',
    help: 'Commands from local flows to devices, by command and result (sent, refused, failed)',
    labelNames: ['command', 'result'] as const,
    registers: [deps.registry],
  });
  // A flow stuck in a loop could send thousands a second; each is counted, the log gets one line a minute.
  const throttle = createLogThrottle(60_000);
  let closed = false;
  const refuse = (command: string, outcome: Failed) => {
    sent.inc({ command: Slug.safeParse(command).success ? command : '(invalid)', result: 'refused' });
    if (throttle.shouldLog(`refused|${outcome.error.code}`)) deps.logger.warn({ code: outcome.error.code, detail: outcome.error.message }, 'device command refused');
    return outcome;
  };
  return {
    async send({ deviceId, command, payload }) {
      if (closed) return refuse(command, failed('ATRIUM_RED_GATEWAY_STOPPED', 'the gateway is stopping; the command was not sent'));
      if (!deps.site.device.has(deviceId)) return refuse(command, failed('ATRIUM_RED_UNKNOWN_DEVICE', `deviceId: no device "${deviceId}" on site ${deps.site.site.id}`));
      const name = Slug.safeParse(command);
      if (!name.success) return refuse(command, failed('ATRIUM_RED_INVALID_COMMAND', `command: "${command}" ${name.error.issues[0]?.message ?? 'is not a slug'}`));
      let body: Buffer;
      try {
        body = Buffer.from(JSON.stringify(payload ?? {}));
      } catch (err) {
        return refuse(command, failed('ATRIUM_RED_INVALID_COMMAND', `payload: cannot be sent as JSON (${(err as Error).message})`));
      }
      if (body.length > deps.maxPayloadBytes) return refuse(command, failed('ATRIUM_RED_INVALID_COMMAND', `payload: ${body.length} bytes; devices take at most ${deps.maxPayloadBytes}`));
      const topic = commandTopic(deps.site.site.id, deviceId, command);
      try {
        await deps.publish(topic, body);
      } catch (err) {
        sent.inc({ command, result: 'failed' });
        deps.logger.error({ topic, err: (err as Error).message }, 'device command not published');
        return failed('ATRIUM_RED_GATEWAY_STOPPED', `the broker did not take the command: ${(err as Error).message}`);
      }
      sent.inc({ command, result: 'sent' });
      if (throttle.shouldLog(`sent|${deviceId}|${command}`)) deps.logger.info({ topic, bytes: body.length }, 'device command sent by a local flow');
      return { ok: true };
    },
    close() {
      closed = true;
    },
  };
}
