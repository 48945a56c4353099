/**
 * Derives src/profile/melbourne-week.json from the City of Melbourne pedestrian counts.
 * Only the derived shape is written; the raw counts stay outside the repository.
 *   tsx firmware-sim/scripts/derive-profile.ts [--data DIR]
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { deriveWeekProfile, WeekProfile, type CountRow } from '../src/profile/week-profile.ts';

const SENSOR = 'Bourke Street Mall (South)';
const SOURCE =
  'Derived by Atrium from the City of Melbourne Pedestrian Counting System (hourly counts, sensor "Bourke Street Mall (South)"), ' +
  'City of Melbourne open data, licensed CC BY 4.0. Values are per-bucket medians normalised to mean 1; no raw counts are included.';

const { values } = parseArgs({ options: { data: { type: 'string', default: '/work/shared/data/melbourne-pedestrian' } } });
const dir = values.data;

const rows: CountRow[] = [];
const lines = createInterface({ input: createReadStream(join(dir, 'dev.csv.gz')).pipe(createGunzip()), crlfDelay: Infinity });
let header = true;
for await (const line of lines) {
  if (header) {
    header = false;
    continue;
  }
  // time_local,sensor_id,sensor,count; sensor names contain no commas in this extract, but parse from both ends anyway.
  const firstComma = line.indexOf(',');
  const lastComma = line.lastIndexOf(',');
  const sensor = line.slice(line.indexOf(',', firstComma + 1) + 1, lastComma).replace(/^"|"$/g, '');
  if (sensor !== SENSOR) continue;
  rows.push({ timeLocal: line.slice(0, firstComma), count: Number(line.slice(lastComma + 1)) });
}

const holidayRows = readFileSync(join(dir, 'holidays-vic.csv'), 'utf8').trim().split('\n').slice(1);
const holidays = new Set(holidayRows.map((r) => r.slice(0, 10)));
// The mall is shut on these, so they say nothing about a trading holiday.
const closed = new Set(holidayRows.filter((r) => /Good Friday|Christmas Day/.test(r)).map((r) => r.slice(0, 10)));

const profile = WeekProfile.parse(deriveWeekProfile(rows, { sensor: SENSOR, source: SOURCE, holidays, factorExcludes: closed }));
const out = new URL('../src/profile/melbourne-week.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(profile, null, 2)}\n`);
console.log(`wrote ${out.pathname}: ${profile.hoursUsed} hours ${profile.from}..${profile.to}, holiday factor ${profile.holidayFactor} over ${profile.holidaysUsed} holidays`);
