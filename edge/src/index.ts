export { createGateway, type Gateway } from './gateway.ts';
export { parseEdgeConfig, EdgeConfig, type EdgeConfigInput } from './config.ts';
export { REJECTION, type RejectionCode } from './core/rejections.ts';
export { openDeviceCredentials, credentialsPath, type DeviceCredentials } from './devices/credentials.ts';
export { provisionFleet, connectionSettings, type FleetProvisioning } from './devices/provision.ts';
export type { EdgeHealth } from './status/report.ts';
