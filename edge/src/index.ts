export { createGateway, type Gateway } from './gateway.ts';
export { parseEdgeConfig, EdgeConfig, EdgeConfigError, type EdgeConfigInput } from './config.ts';
export { REJECTION, type RejectionCode } from './rejections.ts';
