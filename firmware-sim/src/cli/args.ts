import { parseArgs } from 'node:util';
import { describeIssues, LogLevel, Secret } from '@atrium/shared';
import { z } from 'zod';
import { zonedTimeToUtc } from '../local-time.ts';
import { parseDuration } from './duration.ts';

export const USAGE = `usage: atrium-sim --edge mqtt://HOST:1883 [--secret S | env ATRIUM_DEVICE_SECRET] [options]
  --speed N|max        sim seconds per real second (default 60); max = as fast as the broker acks
  --seed N             random seed (default 1)
  --site FILE          site model (default shared/sites/demo-mall.json)
  --start ISO          sim clock start, e.g. 2025-03-08T09:30 (site local) or ...Z (default now)
  --duration D         stop after this much sim time, e.g. 3h, 90m, 1d (default: run until stopped)
  --devices A,B        simulate only these device ids
  --duplicate-rate P   --out-of-order-rate P   --malformed-rate P   (per reading, 0..1)
  --dropout-rate P     chance per zone per sim hour of a network outage (0..1)
  --clock-drift D      device clocks off by up to D either way, e.g. 2s
  --visitors N         average shopper arrivals per trading hour (default 2400)
  --log-level L        fatal|error|warn|info|debug|trace|silent (default info)`;

const OPTIONS = {
  edge: { type: 'string' },
  secret: { type: 'string' },
  speed: { type: 'string' },
  seed: { type: 'string' },
  site: { type: 'string' },
  start: { type: 'string' },
  duration: { type: 'string' },
  devices: { type: 'string' },
  'duplicate-rate': { type: 'string' },
  'out-of-order-rate': { type: 'string' },
  'malformed-rate': { type: 'string' },
  'dropout-rate': { type: 'string' },
  'clock-drift': { type: 'string' },
  visitors: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const duration = (what: string) =>
  z.string().transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a ${what} like 90s, 45m, 3h or 1h30m` });
      return z.NEVER;
    }
    return ms;
  });
const rate = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0);

/** The site's wall clock unless the text names its own offset. */
const startTime = (timezone: string) =>
  z.string().transform((s, ctx) => {
    const local = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?))?$/.exec(s);
    const ms = local ? zonedTimeToUtc(timezone, local[1] as string, local[2] ?? '00:00') : Date.parse(s);
    if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO date-time such as 2025-03-08T09:30 (site time) or 2025-03-07T22:30:00Z' });
      return z.NEVER;
    }
    return ms;
  });

const argsSchema = (timezone: string, nowMs: number) =>
  z.strictObject({
    edge: z.url({ protocol: /^(mqtts?|wss?|tcp)$/, error: 'must be a broker URL such as mqtt://127.0.0.1:1883' }),
    secret: Secret,
    speed: z.union([z.literal('max'), z.coerce.number().positive('must be a positive number or "max"').max(1_000_000)]).default(60),
    seed: z.coerce.number().int('must be a whole number').default(1),
    site: z.string().min(1).optional(),
    start: startTime(timezone).default(nowMs),
    duration: duration('duration').optional(),
    devices: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .optional(),
    'duplicate-rate': rate,
    'out-of-order-rate': rate,
    'malformed-rate': rate,
    'dropout-rate': rate,
    'clock-drift': duration('duration').default(0),
    visitors: z.coerce.number().positive().max(1_000_000).optional(),
    'log-level': LogLevel,
    help: z.boolean().optional(),
  });

export type CliArgs = z.output<ReturnType<typeof argsSchema>>;
export type CliParse = { ok: true; args: CliArgs } | { ok: false; error: string };

/**
 * Parses and validates the command line. Pure: the entry point passes argv, the env and the
 * clock; the site timezone (for a --start without an offset) comes from a resolver because
 * the site file is itself an argument.
 */
export function parseCli(argv: readonly string[], env: Record<string, string | undefined>, nowMs: number, timezoneOf: (sitePath: string | undefined) => string): CliParse {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (values.help) return { ok: false, error: 'help' };
  const input = { ...values, secret: values.secret ?? env.ATRIUM_DEVICE_SECRET };
  const dropUndefined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  let timezone: string;
  try {
    timezone = timezoneOf(typeof values.site === 'string' ? values.site : undefined);
  } catch (err) {
    return { ok: false, error: `--site: ${(err as Error).message}` };
  }
  const parsed = argsSchema(timezone, nowMs).safeParse(dropUndefined);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const flag = first?.path[0];
    const reason = flag === 'secret' && input.secret === undefined ? 'is required (or set ATRIUM_DEVICE_SECRET)' : first?.message;
    return { ok: false, error: flag !== undefined ? `--${String(flag)}: ${reason}` : describeIssues(parsed.error) };
  }
  return { ok: true, args: parsed.data };
}
