import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseWallClockHour } from '../../src/forecast/clock.ts';
import { buildSeries, parseCountLines, readCountsCsv, valueAt } from '../../src/forecast/series.ts';

const HEADER = 'time_local,sensor_id,sensor,count';
const hour = (s: string): number => parseWallClockHour(s) as number;

describe('counts CSV', () => {
  it('parses rows, including CRLF endings and quoted names', async () => {
    const rows = await parseCountLines([`${HEADER}\r`, '2014-03-01T00:00,2,"Bourke Street Mall (South)",15\r', '2014-03-01T01:00,2,"Bourke Street Mall (South)",7\r']);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ sensorId: '2', sensor: 'Bourke Street Mall (South)', count: 15, hour: hour('2014-03-01T00:00') });
  });

  it('refuses a bad count, naming the line and the field', async () => {
    const lines = [HEADER, '2014-03-01T00:00,2,Mall,15', '2014-03-01T01:00,2,Mall,lots'];
    await expect(parseCountLines(lines, 'dev.csv')).rejects.toThrow(/dev\.csv line 3, field "count": .*"lots"/);
  });

  it('refuses an impossible date and a negative count', async () => {
    await expect(parseCountLines([HEADER, '2014-02-30T10:00,2,Mall,1'])).rejects.toThrow(/line 2, field "time_local": not a calendar date/);
    await expect(parseCountLines([HEADER, '2014-02-03T10:00,2,Mall,-4'])).rejects.toThrow(/line 2, field "count"/);
  });

  it('refuses a row with a missing field and a header without a column', async () => {
    await expect(parseCountLines([HEADER, '2014-02-03T10:00,2,Mall'])).rejects.toThrow(/line 2, field "count": expected 4 fields, found 3/);
    await expect(parseCountLines(['time_local,sensor_id,count', '2014-02-03T10:00,2,1'])).rejects.toThrow(/line 1, field "sensor": missing column/);
  });

  it('reads a gzip file by streaming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-forecast-'));
    const file = join(dir, 'counts.csv.gz');
    writeFileSync(file, gzipSync(`${HEADER}\n2014-03-01T00:00,9,Station,3\n2014-03-01T01:00,9,Station,4\n`));
    const rows = await readCountsCsv(file);
    expect(rows.map((r) => r.count)).toEqual([3, 4]);
  });
});

describe('hourly index on local wall-clock hours', () => {
  it('keeps the first count of the hour repeated when daylight saving ends', async () => {
    // Melbourne, 6 April 2014: 02:00–03:00 happens twice.
    const rows = await parseCountLines([HEADER, '2014-04-06T01:00,2,Mall,40', '2014-04-06T02:00,2,Mall,30', '2014-04-06T02:00,2,Mall,25', '2014-04-06T03:00,2,Mall,20']);
    const [s] = buildSeries(rows);
    expect(s).toBeDefined();
    if (!s) return;
    expect(s.values.length).toBe(3);
    expect(valueAt(s, hour('2014-04-06T02:00'))).toBe(30);
  });

  it('leaves the hour that vanishes when daylight saving starts missing', async () => {
    // Melbourne, 5 October 2014: clocks jump from 02:00 to 03:00.
    const rows = await parseCountLines([HEADER, '2014-10-05T01:00,2,Mall,40', '2014-10-05T03:00,2,Mall,20']);
    const [s] = buildSeries(rows);
    if (!s) throw new Error('no series');
    expect(s.values.length).toBe(3);
    expect(valueAt(s, hour('2014-10-05T02:00'))).toBeNaN();
    expect(valueAt(s, hour('2014-10-05T03:00'))).toBe(20);
  });

  it('splits sensors and leaves gaps between rows missing', async () => {
    const rows = await parseCountLines([HEADER, '2014-01-01T00:00,4,Town Hall,5', '2014-01-01T00:00,2,Mall,1', '2014-01-01T03:00,2,Mall,2']);
    const series = buildSeries(rows);
    expect(series.map((s) => s.sensorId)).toEqual(['2', '4']);
    expect(Array.from(series[0]?.values ?? [])).toEqual([1, Number.NaN, Number.NaN, 2]);
  });
});
