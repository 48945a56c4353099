/**
 * Writes shared/sites/demo-mall.json from buildDemoMall(), validated by the shared SiteModel.
 *   npm run -w firmware-sim generate:mall
 */
import { writeFileSync } from 'node:fs';
import { DEMO_SITE_PATH, SiteModel } from '@atrium/shared';
import { buildDemoMall, serialiseSite } from '../src/mall/build.ts';

const site = SiteModel.parse(buildDemoMall());
writeFileSync(DEMO_SITE_PATH, serialiseSite(site));
const count = (kind: string) => site.devices.filter((d) => d.kind === kind).length;
console.log(
  `wrote ${DEMO_SITE_PATH}: ${site.floors.length} floors, ${site.zones.length} zones, ${site.entrances.length} entrances, ` +
    `${site.shops.length} shops, ${site.devices.length} devices (radar ${count('radar')}, env ${count('env')}, locker ${count('locker')}, gate ${count('gate')})`,
);
