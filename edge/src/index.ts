export { createGateway, type Gateway } from './gateway.ts';
export { parseEdgeConfig, EdgeConfig, type EdgeConfigInput } from './config.ts';
export { REJECTION, type RejectionCode } from './rejections.ts';
