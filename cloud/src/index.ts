export { createCloud, type Cloud, type CloudDeps } from './cloud.ts';
export { parseCloudConfig, CloudEnv, type CloudConfig, type CloudEnvInput } from './config.ts';
export { ensureGatewayCredential, newGatewayPassword, type GatewayCredentials } from './ingest/gateway-credentials.ts';
export type { SeriesStore } from './series/series-store.ts';
export type { TimerClock } from './forecast/scheduler.ts';
