export { createGateway, type Gateway } from './gateway.ts';
export { parseEdgeConfig, EdgeEnv, type EdgeConfig, type EdgeConfigInput } from './config.ts';
export { EDGE_ERRORS, EdgeError, type EdgeErrorCode, type RejectionCode } from './core/errors.ts';
export { openDeviceCredentials, credentialsPath, type DeviceCredentials } from './devices/credentials.ts';
export { provisionFleet, connectionSettings, type FleetProvisioning } from './devices/provision.ts';
export type { EdgeHealth } from './status/report.ts';
