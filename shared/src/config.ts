import { z } from 'zod';
import { describeIssues } from './errors.ts';

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const Port = z.coerce.number().int().min(0).max(65_535);
export const Secret = z.string().min(16, 'must be at least 16 characters (try: openssl rand -base64 32)');

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses a service's environment once; the result is frozen and passed down, never re-read. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, what: string): Readonly<z.output<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid ${what} configuration: ${describeIssues(parsed.error)}`);
  return Object.freeze(parsed.data) as Readonly<z.output<S>>;
}

/** For entry points: a configuration error ends the process with what to fix, not a stack trace. */
export function exitOnConfigError(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`${err.message}\nSet the variables named above (see README, "Configuration") and start again.`);
  process.exit(2);
}

export function configOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    return exitOnConfigError(err);
  }
}

/** For entry points: stop cleanly once on SIGINT or SIGTERM. */
export function stopOnSignals(logger: { info(obj: object, msg: string): void }, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
