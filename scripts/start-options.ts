import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '@atrium/shared';

/**
 * `npm start`'s options: one table gives the parser, the checks and `--help`, so the help can
 * never list an option the parser does not take or the other way round.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * The default pace (README, "The demo's pace"). Accept targets are 2, 5 and 15 site minutes
 * (guard, cleaner, technician): at 60× a person had 2–15 s before the job moved on; at 10× a
 * cleaning job waits 30 s (a person took one in 12 s in tests/e2e/demo-start.test.ts). A 60×
 * run measured about 4 alarms per site hour of trading besides silent devices, each with a
 * work order whose steps (assigned, accepted, arrived, resolved) follow: at 10× a new alarm
 * every ~1.5 real minutes and a step of some job in between. Closed hours at 120×
 * pass a 13-hour night in about 7 minutes (the clock slows instead if the machine cannot keep up).
 */
export const DEFAULT_SPEED = 10;
export const DEFAULT_CLOSED_SPEED = 120;

const OPTIONS = {
  speed: { type: 'string', value: 'N', help: `simulated seconds per real second while the mall trades (default ${DEFAULT_SPEED})` },
  'closed-speed': { type: 'string', value: 'N', help: `the same while the mall is closed, so nights pass quickly (default ${DEFAULT_CLOSED_SPEED}; at most what the machine keeps up with)` },
  seed: { type: 'string', value: 'N', help: 'random seed of the simulated mall and crew (default 1)' },
  port: { type: 'string', value: 'PORT', help: 'the pages, API and live feed: http://127.0.0.1:PORT/ (default 8080; 0 picks a free one)' },
  'edge-port': { type: 'string', value: 'PORT', help: "the edge gateway's MQTT listener for devices (default 1883; 0 picks a free one)" },
  'edge-http-port': { type: 'string', value: 'PORT', help: "the edge gateway's /health, /metrics and Node-RED editor /red (default 8081; 0 picks a free one)" },
  'data-dir': { type: 'string', value: 'DIR', help: 'databases, keys and passwords, kept between runs (default .data)' },
  site: { type: 'string', value: 'FILE', help: 'the site model (default shared/sites/demo-mall.json)' },
  'no-sim': { type: 'boolean', help: 'no simulated mall or crew: the cloud runs on the wall clock for real devices' },
  'log-level': { type: 'string', value: 'LEVEL', help: `${LOG_LEVELS.join(', ')} (default info, or LOG_LEVEL)` },
  help: { type: 'boolean', short: 'h', help: 'print this and exit' },
} as const;

const Args = z.object({
  speed: z.coerce.number().positive().max(10_000).default(DEFAULT_SPEED),
  'closed-speed': z.coerce.number().positive().max(10_000).default(DEFAULT_CLOSED_SPEED),
  seed: z.coerce.number().int().default(1),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  'edge-port': z.coerce.number().int().min(0).max(65_535).default(1883),
  'edge-http-port': z.coerce.number().int().min(0).max(65_535).default(8081),
  'data-dir': z.string().min(1).default('.data'),
  site: z.string().min(1).optional(),
  'no-sim': z.boolean().default(false),
  'log-level': z.enum(LOG_LEVELS).default(LOG_LEVELS.find((l) => l === process.env.LOG_LEVEL) ?? 'info'),
  help: z.boolean().default(false),
});
export type StartOptions = z.infer<typeof Args>;

export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, o]) => {
    const flag = `${'short' in o ? `-${o.short}, ` : ''}--${name}${'value' in o ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(26)} ${o.help}`;
  });
  return ['usage: npm start -- [options]', '', 'Runs the cloud, one edge gateway and a simulated mall with its staff in one process.', '', ...rows, ''].join('\n');
}

/** The options, or an error naming the option and the reason. */
export function parseStartOptions(argv: readonly string[]): { ok: true; value: StartOptions } | { ok: false; error: string } {
  try {
    const parseOptions = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o && { short: o.short }) }]));
    const { values } = parseArgs({ args: [...argv], options: parseOptions, allowPositionals: false });
    const result = Args.safeParse(values);
    if (!result.success) return { ok: false, error: describeIssues(result.error) };
    return { ok: true, value: result.data };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
