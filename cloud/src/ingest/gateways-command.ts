import { UPLINK_PREFIX, derivePassword, gatewayOwnership, gatewayPrincipal, type GatewayConnection, type GatewayCredential, type SiteModel } from '@atrium/shared';
import { Errors } from '../errors.ts';
import type { GatewayCredentials } from './gateway-credentials.ts';

export const GATEWAY_COMMANDS = ['add', 'list', 'rotate', 'disable', 'enable', 'import'] as const;
export type GatewayCommand = (typeof GATEWAY_COMMANDS)[number];

export interface GatewaysRequest {
  command: GatewayCommand;
  gatewayIds: string[];
  /** add: every gateway of the site model that has no credential yet */
  site: boolean;
  /** add: this password instead of a random one (an operator's secret store); adding again with it changes nothing */
  password?: string;
  /** import: the deprecated shared secret the edges derive their passwords from today */
  legacySecret?: string;
}

export interface GatewayListing {
  gatewayId: string;
  state: 'active' | 'disabled' | 'not_provisioned';
  rotations: number;
  /** site-model devices it may carry */
  devices: number;
  createdAt: number | null;
  updatedAt: number | null;
}

export type GatewaysResult =
  | { command: 'add' | 'rotate' | 'import'; gateways: GatewayConnection[] }
  | { command: 'disable' | 'enable'; gateways: { gatewayId: string; disabled: boolean }[] }
  | { command: 'list'; gateways: GatewayListing[] };

/**
 * The gateway provisioning CLI's work, apart from argv and printing: like the edge's device
 * CLI, a password is shown once, when it is made, and stored only as a hash.
 */
export async function runGatewaysCommand(req: GatewaysRequest, deps: { site: SiteModel; store: GatewayCredentials; now?: number }): Promise<GatewaysResult> {
  const { site, store } = deps;
  const now = deps.now ?? Date.now();
  const ownership = gatewayOwnership(site);
  const deviceCount = (gatewayId: string) => site.devices.filter((d) => ownership.refusal(gatewayId, d.id) === null).length;
  const known = (id: string) => {
    if (ownership.checked && !ownership.gateways.has(id)) throw new Errors.GatewayUnknown(id, [...ownership.gateways].join(', '));
    return id;
  };
  const invalid = (message: string) => new Errors.InvalidRequest(message);
  if (req.site && req.command !== 'add') throw invalid('--site: only with add');
  if (req.site && req.gatewayIds.length > 0) throw invalid('--site: adds every gateway of the site model; give no gateway ids with it');
  if (req.password !== undefined && (req.command !== 'add' || req.site || req.gatewayIds.length !== 1)) throw invalid('--password-env: only with add and one gateway id');
  if (req.command === 'import' && req.legacySecret === undefined) throw invalid('import: needs --secret-env VAR, the variable holding the ATRIUM_GATEWAY_SECRET the edges use today');
  if (req.command !== 'list' && req.command !== 'import' && !req.site && req.gatewayIds.length === 0) throw invalid(`gatewayId: ${req.command} needs at least one gateway id`);
  // Every id is checked before anything changes, so a typo in a list provisions nothing.
  const ids = req.gatewayIds.map(known);
  const existing = new Map((await store.list()).map((c) => [c.gatewayId, c]));
  const connection = (gatewayId: string, password?: string): GatewayConnection => {
    const c = existing.get(gatewayId);
    return {
      siteId: site.id,
      gatewayId,
      username: gatewayId,
      ...(password !== undefined && { password }),
      publish: `${UPLINK_PREFIX}/${site.id}/${gatewayId}/+`,
      disabled: c?.disabled ?? false,
      generation: c?.generation ?? 1,
      devices: deviceCount(gatewayId),
    };
  };
  const refresh = async (id: string) => existing.set(id, (await store.get(id)) as GatewayCredential);
  const mustExist = () => {
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) throw new Errors.GatewayNotProvisioned(missing.join(', '));
  };
  const addAll = async (todo: string[], passwordOf: (id: string) => string | undefined) => {
    const out: GatewayConnection[] = [];
    for (const id of todo) {
      const given = passwordOf(id);
      const password = await store.add(id, { ...(given !== undefined && { password: given }), now });
      await refresh(id);
      // A password the operator chose they have already: it is not printed back.
      out.push(connection(id, given === undefined ? password : undefined));
    }
    return out;
  };

  switch (req.command) {
    case 'add': {
      if (req.site) return { command: 'add', gateways: await addAll(site.gateways.map((g) => g.id).filter((id) => !existing.has(id)), () => undefined) };
      if (req.password !== undefined && existing.has(ids[0]!)) {
        // Idempotent for a one-shot provisioning step (docker compose): the same password again is nothing to do.
        if ((await store.verify(ids[0]!, req.password)).outcome === 'ok') return { command: 'add', gateways: [connection(ids[0]!)] };
      }
      const taken = ids.filter((id) => existing.has(id));
      if (taken.length > 0) throw new Errors.GatewayExists(taken.join(', '));
      return { command: 'add', gateways: await addAll(ids, () => req.password) };
    }
    case 'import': {
      // The edges keep the password they derive today; the cloud keeps only its hash and can drop the secret.
      const todo = (ids.length > 0 ? ids : site.gateways.map((g) => g.id)).filter((id) => !existing.has(id));
      const secret = req.legacySecret!;
      const gateways = await addAll(todo, (id) => derivePassword(secret, gatewayPrincipal(id)));
      return { command: 'import', gateways };
    }
    case 'rotate': {
      mustExist();
      const gateways: GatewayConnection[] = [];
      for (const id of ids) {
        const password = await store.rotate(id, now);
        await refresh(id);
        gateways.push(connection(id, password));
      }
      return { command: 'rotate', gateways };
    }
    case 'disable':
    case 'enable':
      mustExist();
      for (const id of ids) await store.setDisabled(id, req.command === 'disable', now);
      return { command: req.command, gateways: ids.map((gatewayId) => ({ gatewayId, disabled: req.command === 'disable' })) };
    case 'list': {
      const wanted = ids.length > 0 ? ids : [...new Set([...site.gateways.map((g) => g.id), ...existing.keys()])].sort();
      return {
        command: 'list',
        gateways: wanted.map((gatewayId) => {
          const c = existing.get(gatewayId);
          return { gatewayId, state: !c ? 'not_provisioned' : c.disabled ? 'disabled' : 'active', rotations: c ? c.generation - 1 : 0, devices: deviceCount(gatewayId), createdAt: c?.createdAt ?? null, updatedAt: c?.updatedAt ?? null };
        }),
      };
    }
  }
}
