import { z } from 'zod';
import { DeviceId, DeviceKind, Slug, ZoneId, describeIssues, deviceTopic, type Device, type SiteIndex } from '@atrium/shared';
import type { BusReading, EdgeBus } from '../readings/bus.ts';
import type { DeviceCommands } from './commands.ts';
import { ALARM_SEVERITIES, type LocalAlarms } from './alarms.ts';
import { EdgeError, type Failed, type Outcome } from '../core/errors.ts';
import type { NodeApi, NodeDefinition, NodeInstance, NodeMessage } from './types.ts';

export const ATRIUM_IN = 'atrium in';
export const ATRIUM_OUT = 'atrium out';

/** An empty field in the editor means "any" (in) or "take it from the message" (out). */
const orEmpty = <T extends z.ZodType<string>>(schema: T) => z.union([z.literal(''), schema]).default('');

export const InConfig = z.object({
  kind: orEmpty(DeviceKind),
  zone: orEmpty(ZoneId),
  channel: orEmpty(Slug),
  device: orEmpty(DeviceId),
});
export type InConfig = z.output<typeof InConfig>;

export const OutConfig = z.object({
  action: z.enum(['command', 'alarm']).default('command'),
  command: orEmpty(Slug),
  device: orEmpty(DeviceId),
  zone: orEmpty(ZoneId),
  kind: orEmpty(DeviceKind),
  alarm: orEmpty(Slug),
  severity: z.union([z.literal(''), z.enum(ALARM_SEVERITIES)]).default(''),
});
export type OutConfig = z.output<typeof OutConfig>;

/** What `atrium out` reads from a message; anything else on it is ignored. */
export const OutMessage = z.object({
  deviceId: DeviceId.optional(),
  zoneId: ZoneId.optional(),
  deviceKind: DeviceKind.optional(),
  command: Slug.optional(),
  payload: z.unknown(),
  alarm: Slug.optional(),
  severity: z.enum(ALARM_SEVERITIES).optional(),
  /** true clears the alarm instead of raising it. */
  clear: z.boolean().optional(),
});
export type OutMessage = z.output<typeof OutMessage>;

export function matches(filter: InConfig, r: BusReading): boolean {
  return (
    (filter.kind === '' || filter.kind === r.device.kind) &&
    (filter.zone === '' || filter.zone === r.device.zoneId) &&
    (filter.channel === '' || filter.channel === r.channel) &&
    (filter.device === '' || filter.device === r.device.id)
  );
}

export function toMessage(siteId: string, r: BusReading): NodeMessage {
  return {
    topic: deviceTopic(siteId, r.device.id, r.channel),
    payload: r.value,
    deviceId: r.device.id,
    deviceKind: r.device.kind,
    zoneId: r.device.zoneId,
    floorId: r.floorId,
    channel: r.channel,
    receivedAt: r.receivedAt,
  };
}

/** A device named on the node or the message wins; otherwise every device of the kind in the zone. */
export function resolveTargets(site: SiteIndex, cfg: OutConfig, msg: OutMessage): Device[] | EdgeError {
  const deviceId = cfg.device || msg.deviceId;
  if (deviceId) {
    const device = site.device.get(deviceId);
    return device ? [device] : new EdgeError('ATRIUM_RED_UNKNOWN_DEVICE', `deviceId: no device "${deviceId}" on site ${site.site.id}`);
  }
  const zoneId = cfg.zone || msg.zoneId;
  const kind = cfg.kind || msg.deviceKind;
  if (!zoneId) return new EdgeError('ATRIUM_RED_NO_TARGET', 'name a device (node or msg.deviceId) or a zone (node or msg.zoneId) with a device kind');
  if (!site.zone.has(zoneId)) return new EdgeError('ATRIUM_RED_UNKNOWN_ZONE', `zoneId: no zone "${zoneId}" on site ${site.site.id}`);
  if (!kind) return new EdgeError('ATRIUM_RED_NO_TARGET', `a command to zone ${zoneId} needs a device kind (node or msg.deviceKind), so it reaches only devices that understand it`);
  const devices = site.site.devices.filter((d) => d.zoneId === zoneId && d.kind === kind);
  return devices.length > 0 ? devices : new EdgeError('ATRIUM_RED_NO_TARGET', `zone ${zoneId} has no ${kind} devices`);
}

export interface AtriumNodeDeps {
  site: SiteIndex;
  bus: EdgeBus;
  commands: DeviceCommands;
  alarms: LocalAlarms;
}

const time = () => new Date().toISOString().slice(11, 19);

function parseConfig<S extends z.ZodType>(node: NodeInstance, schema: S, def: NodeDefinition): z.output<S> | undefined {
  const parsed = schema.safeParse(def);
  if (parsed.success) return parsed.data;
  const err = new EdgeError('ATRIUM_RED_INVALID_NODE_CONFIG', describeIssues(parsed.error));
  node.status({ fill: 'red', shape: 'ring', text: err.message.slice(0, 60) });
  node.error(err);
  return undefined;
}

/**
 * The two Atrium node types, registered into Node-RED by edge/nodes/atrium.cjs. They reach
 * the gateway only through `deps`: the bus for readings, commands and alarms for actions.
 */
export function registerAtriumNodes(RED: NodeApi, deps: AtriumNodeDeps): void {
  const siteId = deps.site.site.id;

  function AtriumIn(this: NodeInstance, def: NodeDefinition): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const filter = parseConfig(node, InConfig, def);
    if (!filter) return;
    if (filter.zone && !deps.site.zone.has(filter.zone)) return void node.status({ fill: 'red', shape: 'ring', text: `no zone ${filter.zone}` });
    if (filter.device && !deps.site.device.has(filter.device)) return void node.status({ fill: 'red', shape: 'ring', text: `no device ${filter.device}` });
    let count = 0;
    node.status({ fill: 'grey', shape: 'ring', text: 'waiting for readings' });
    const off = deps.bus.on('reading', (r) => {
      if (!matches(filter, r)) return;
      count++;
      node.send(toMessage(siteId, r));
      node.status({ fill: 'green', shape: 'dot', text: `${count} · ${r.device.id} ${time()}` });
    });
    node.on('close', (_removed, done) => {
      off();
      done();
    });
  }

  function AtriumOut(this: NodeInstance, def: NodeDefinition): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const cfg = parseConfig(node, OutConfig, def);
    if (!cfg) return;
    const fail = (err: EdgeError, done: (err?: Error) => void) => {
      node.status({ fill: 'red', shape: 'ring', text: err.code.replace('ATRIUM_RED_', '').toLowerCase() });
      done(err);
    };
    node.on('input', (raw, _send, done) => {
      const parsed = OutMessage.safeParse(raw);
      if (!parsed.success) return fail(new EdgeError(cfg.action === 'alarm' ? 'ATRIUM_RED_INVALID_ALARM' : 'ATRIUM_RED_INVALID_COMMAND', describeIssues(parsed.error)), done);
      const msg = parsed.data;
      if (cfg.action === 'alarm') {
        const alarm = cfg.alarm || msg.alarm;
        if (!alarm) return fail(new EdgeError('ATRIUM_RED_INVALID_ALARM', 'alarm: set it on the node or as msg.alarm'), done);
        const outcome = deps.alarms.raise({
          alarm,
          severity: cfg.severity || msg.severity || 'warning',
          zoneId: cfg.zone || msg.zoneId,
          deviceId: cfg.device || msg.deviceId,
          message: typeof msg.payload === 'string' ? msg.payload : '',
          active: msg.clear !== true,
        });
        if (!outcome.ok) return fail(outcome.error, done);
        node.status({ fill: msg.clear === true ? 'green' : 'red', shape: 'dot', text: `${alarm} ${msg.clear === true ? 'cleared' : 'raised'} ${time()}` });
        return done();
      }
      const command = cfg.command || msg.command;
      if (!command) return fail(new EdgeError('ATRIUM_RED_INVALID_COMMAND', 'command: set it on the node or as msg.command'), done);
      const targets = resolveTargets(deps.site, cfg, msg);
      if (targets instanceof EdgeError) return fail(targets, done);
      Promise.all(targets.map((d) => deps.commands.send({ deviceId: d.id, command, payload: msg.payload }))).then((outcomes: Outcome[]) => {
        const failed = outcomes.find((o): o is Failed => !o.ok);
        if (failed) return fail(failed.error, done);
        node.status({ fill: 'green', shape: 'dot', text: `${command} → ${targets.length === 1 ? targets[0]?.id : `${targets.length} devices`} ${time()}` });
        done();
      }, (err: Error) => done(err));
    });
  }

  RED.nodes.registerType(ATRIUM_IN, AtriumIn);
  RED.nodes.registerType(ATRIUM_OUT, AtriumOut);
}
