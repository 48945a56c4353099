import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/forecast/backtest.ts';
import { readCalendarCsv } from '../../src/forecast/calendar.ts';
import { readCountsCsv } from '../../src/forecast/series.ts';

// The shared Melbourne extract lives beside the repo, never in it. CI always has it beside
// the clone, so its absence is a failure that says where it should be, never a silent skip.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = resolve(repoRoot, '../shared/data/melbourne-pedestrian');
const present = existsSync(resolve(dataDir, 'dev.csv.gz')) && existsSync(resolve(dataDir, 'holidays-vic.csv'));

describe('backtest on the Melbourne dev extract (two sensors)', () => {
  it('finds the data beside the repository', () => {
    expect(present, `expected dev.csv.gz and holidays-vic.csv in ${dataDir}`).toBe(true);
  });

  it.runIf(present)('beats the seasonal naive clearly with calibrated 80% intervals', async () => {
    const rows = (await readCountsCsv(resolve(dataDir, 'dev.csv.gz'))).filter((r) => r.sensorId === '2' || r.sensorId === '5');
    const calendar = await readCalendarCsv(resolve(dataDir, 'holidays-vic.csv'));
    const result = runBacktest(rows, calendar);
    expect(Object.keys(result.sensors)).toEqual(['2', '5']);
    expect(result.overall.model.windows).toBe(60);
    // The seasonal naive reproduces the reference figures of the protocol for these sensors.
    expect(result.sensors['2']?.seasonalNaive.mase72).toBeCloseTo(1.34, 2);
    expect(result.overall.ratio.mase72).toBeLessThan(0.85);
    expect(result.overall.model.cov80).toBeGreaterThan(0.75);
    expect(result.overall.model.cov80).toBeLessThan(0.85);
    expect(result.overall.model.cov95).toBeGreaterThan(0.9);
  });
});
