#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GatewayId, Secret, configOrExit, describeIssues, loadSiteFile, parseConfig } from '@atrium/shared';
import { CloudEnv } from './config.ts';
import { migrate } from './db/migrate.ts';
import { openPg } from './db/pg.ts';
import { openPglite } from './db/pglite.ts';
import type { SqlClient } from './db/sql-client.ts';
import { createGatewayCredentials } from './ingest/gateway-credentials.ts';
import { GATEWAY_COMMANDS, runGatewaysCommand, type GatewaysResult } from './ingest/gateways-command.ts';

const USAGE = `usage: npm run gateways -- <command> [gatewayId ...] [--json]
  add <gatewayId ...>           give gateways their own credential; prints each new password once
                                (the edge's ATRIUM_GATEWAY_PASSWORD)
  add <gatewayId> --password-env VAR
                                the password in VAR instead of a random one; again with the same
                                password: nothing to do (a one-shot provisioning step)
  add --site                    every gateway of the site model that has none yet
  import --secret-env VAR [gatewayId ...]
                                moving off the shared ATRIUM_GATEWAY_SECRET (in VAR): stores the
                                password each edge derives from it today, so the edges keep
                                working and the cloud no longer needs the secret
  list [gatewayId ...]          credential state of the site's gateways
  rotate <gatewayId ...>        a new password; the old one stops working (a live session ends within 10 s)
  disable <gatewayId ...>       refused at CONNECT (a live session ends within 10 s)
  enable <gatewayId ...>
options: --json (machine-readable)
reads the cloud's ATRIUM_DATABASE_URL or ATRIUM_DATA_DIR, and ATRIUM_SITE_FILE. The embedded
database (ATRIUM_DATA_DIR) can only be opened while the cloud is stopped; a PostgreSQL server
any time.`;

const shape = CloudEnv.shape;
const CliEnv = z.object({
  ATRIUM_SITE_FILE: shape.ATRIUM_SITE_FILE,
  ATRIUM_DATA_DIR: shape.ATRIUM_DATA_DIR.refine((d) => !d.startsWith('memory://'), 'must be a directory: a throwaway database is gone when this command ends'),
  ATRIUM_DATABASE_URL: shape.ATRIUM_DATABASE_URL,
});
const Args = z.object({
  command: z.enum(GATEWAY_COMMANDS),
  gatewayIds: z.array(GatewayId),
  json: z.boolean(),
  site: z.boolean(),
  'password-env': z.string().min(1).optional(),
  'secret-env': z.string().min(1).optional(),
});

const usage = (message: string): never => {
  console.error(`gateways: ${message}\n${USAGE}`);
  process.exit(2);
};

const args = (() => {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, site: { type: 'boolean', default: false }, 'password-env': { type: 'string' }, 'secret-env': { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const [command, ...gatewayIds] = positionals;
    const parsed = Args.safeParse({ ...values, command, gatewayIds });
    return parsed.success ? parsed.data : usage(describeIssues(parsed.error));
  } catch (err) {
    return usage((err as Error).message);
  }
})();
const env = configOrExit(() => parseConfig(CliEnv, process.env, 'cloud'));
/** A secret named by an option: read from the variable, so it never shows in a process list or shell history. */
const secretFrom = (option: string, variable: string | undefined): string | undefined => {
  if (variable === undefined) return undefined;
  const value = Secret.safeParse(process.env[variable]);
  return value.success ? value.data : usage(`--${option}: ${variable} ${process.env[variable] === undefined ? 'is not set' : describeIssues(value.error)}`);
};
const password = secretFrom('password-env', args['password-env']);
const legacySecret = secretFrom('secret-env', args['secret-env']);

const fail = (err: Error & { code?: string }) => {
  console.error(args.json ? JSON.stringify({ error: { code: err.code, message: err.message } }) : `gateways: ${err.code ? `${err.code}: ` : ''}${err.message}`);
  process.exitCode = 1;
};
const site = loadSiteFile(env.ATRIUM_SITE_FILE);
let sql: SqlClient | undefined;
try {
  sql = env.ATRIUM_DATABASE_URL ? await openPg(env.ATRIUM_DATABASE_URL, { variable: 'ATRIUM_DATABASE_URL' }) : await openPglite(env.ATRIUM_DATA_DIR);
  await migrate(sql);
  const result = await runGatewaysCommand(
    { command: args.command, gatewayIds: args.gatewayIds, site: args.site, ...(password !== undefined && { password }), ...(legacySecret !== undefined && { legacySecret }) },
    { site, store: createGatewayCredentials(sql, site.id) },
  );
  console.log(args.json ? JSON.stringify(result, null, 2) : render(result));
} catch (err) {
  fail(err as Error);
} finally {
  await sql?.close();
}

function render(result: GatewaysResult): string {
  switch (result.command) {
    case 'list':
      return result.gateways.map((g) => `${g.gatewayId.padEnd(24)} ${g.state}${g.rotations > 0 ? ` (rotated ${g.rotations}×)` : ''}  ${g.devices} devices`).join('\n');
    case 'disable':
    case 'enable':
      return result.gateways.map((g) => `${g.gatewayId}: ${g.disabled ? 'disabled (refused at CONNECT)' : 'enabled'}`).join('\n');
    default:
      if (result.gateways.length === 0) return 'nothing to do: every gateway has a credential already';
      return result.gateways
        .map((g) =>
          [
            `${g.gatewayId}${g.disabled ? ' (disabled)' : ''}: ${g.devices} devices of site ${g.siteId}`,
            `  ATRIUM_GATEWAY_ID=${g.gatewayId}`,
            ...(g.password !== undefined ? [`  ATRIUM_GATEWAY_PASSWORD=${g.password}   (shown once: the cloud keeps only a hash)`] : [`  password: ${result.command === 'import' ? 'the one it derives from ATRIUM_GATEWAY_SECRET today' : 'the one you gave'}`]),
            `  publishes: ${g.publish}`,
          ].join('\n'),
        )
        .join('\n\n');
  }
}
