export { createCloud, type Cloud } from './cloud.ts';
export { parseCloudConfig, CloudEnv, type CloudConfig, type CloudEnvInput } from './config.ts';
export type { SeriesStore } from './series/series-store.ts';
export type { TimerClock } from './forecast/scheduler.ts';
