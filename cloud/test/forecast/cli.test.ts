import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatWallClockHour } from '../../src/forecast/clock.ts';
import { syntheticSeries } from './synthetic.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repoRoot, 'cloud/src/forecast/backtest-cli.ts');
const tsx = join(repoRoot, 'node_modules/.bin/tsx');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [cli, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('backtest CLI', () => {
  it('exits 2 naming a missing --csv', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required option --csv');
    expect(r.stderr).toContain('usage:');
  });

  it('exits 2 naming an unknown flag', async () => {
    const r = await run(['--csv', 'x.csv', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });

  it('backtests a counts file and writes the figures as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-backtest-'));
    const s = syntheticSeries({ from: '2014-01-06', days: 260, noise: 0.15, sensorId: '77' });
    const lines = ['time_local,sensor_id,sensor,count'];
    s.values.forEach((v, i) => lines.push(`${formatWallClockHour(s.start + i)},77,Synthetic Mall,${v}`));
    writeFileSync(join(dir, 'counts.csv.gz'), gzipSync(lines.join('\n')));
    writeFileSync(join(dir, 'holidays.csv'), 'date,name\n2014-06-09,Queen\'s Birthday\n');
    const out = join(dir, 'results.json');
    const r = await run(['--csv', join(dir, 'counts.csv.gz'), '--calendar', join(dir, 'holidays.csv'), '--out', out]);
    expect(r.stderr).toMatch(/sensor 1\/1 .*30\/30 windows/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/overall\s+30/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      overall: Record<string, Record<string, number>>;
      sensors: Record<string, { sensor: string; model: Record<string, number> }>;
    };
    for (const who of ['model', 'seasonalNaive']) {
      for (const k of ['mase72', 'mase24', 'wape', 'cov80', 'cov95', 'windows']) expect(typeof json.overall[who]?.[k]).toBe('number');
    }
    expect(json.sensors['77']?.sensor).toBe('Synthetic Mall');
    expect(json.sensors['77']?.model.windows).toBe(30);
  });
});
