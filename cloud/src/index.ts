export { createCloud, type Cloud } from './cloud.ts';
export { parseCloudConfig, CloudConfig, type CloudConfigInput } from './config.ts';
export type { SeriesStore } from './series/series-store.ts';
export type { TimerClock } from './forecast/scheduler.ts';
