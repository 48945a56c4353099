import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runBacktest, type BacktestProgress } from './backtest.ts';
import { EMPTY_CALENDAR, readCalendarCsv } from './calendar.ts';
import { formatTable } from './report.ts';
import { readCountsCsv } from './series.ts';

/**
 * npm run backtest -- --csv FILE [--calendar HOLIDAYS.csv] [--out results.json]
 * Progress goes to stderr so stdout holds only the table (pipe-friendly).
 */

const USAGE = `usage: npm run backtest -- --csv COUNTS.csv[.gz] [--calendar HOLIDAYS.csv] [--out RESULTS.json]

  --csv       hourly counts, header time_local,sensor_id,sensor,count (gzip'd if it ends in .gz)
  --calendar  public holidays, header date,name (optional; without it holidays are ordinary days)
  --out       write the full figures as JSON
  --help      show this message`;

function usageError(problem: string): never {
  process.stderr.write(`backtest: ${problem}\n\n${USAGE}\n`);
  process.exit(2);
}

function parse(argv: string[]): { csv: string; calendar: string | undefined; out: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        csv: { type: 'string' },
        calendar: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.csv === undefined || values.csv === '') usageError('missing required option --csv');
  return { csv: values.csv, calendar: values.calendar, out: values.out };
}

function progress(p: BacktestProgress): void {
  if (!process.stderr.isTTY && p.windowsDone !== 0 && p.windowsDone !== p.windowsTotal) return;
  const line = `sensor ${p.sensorIndex + 1}/${p.sensorCount} (${p.sensorId} ${p.sensor}): ${p.windowsDone}/${p.windowsTotal} windows`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  if (process.stderr.isTTY && p.windowsDone === p.windowsTotal && p.sensorIndex + 1 === p.sensorCount) process.stderr.write('\n');
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const started = Date.now();
  process.stderr.write(`reading ${args.csv}\n`);
  const rows = await readCountsCsv(args.csv);
  const calendar = args.calendar === undefined ? EMPTY_CALENDAR : await readCalendarCsv(args.calendar);
  if (args.calendar === undefined) process.stderr.write('no --calendar: public holidays are forecast as ordinary days\n');
  process.stderr.write(`${rows.length} rows, ${calendar.holidays.size} holidays; backtesting\n`);
  const result = runBacktest(rows, calendar, progress);
  process.stdout.write(`${formatTable(result)}\n`);
  if (args.out !== undefined) {
    await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`wrote ${args.out}\n`);
  }
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`backtest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
