/**
 * A misbehaving device can send thousands of bad messages a second, and anyone can open
 * thousands of connections: every one is counted, but the log gets one line per key (device
 * or source address, and reason) per period, and the keys themselves are bounded. The one
 * implementation lives in shared, next to the MQTT listener guard the cloud uses too.
 */
export { createLogThrottle, type LogThrottle } from '@atrium/shared';
