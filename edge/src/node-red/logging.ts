import type { Logger } from 'pino';
import type { NodeRedLogHandler, NodeRedLogRecord } from './types.ts';

const LEVEL_OF: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace' };
const AUDIT = 98;
/**
 * Audit events worth an info line: who changed what is running. Reads (flows.get…) and
 * auth.invalid-token stay at debug: the latter is Node-RED's own token store missing a token
 * the edge issued, before its `tokens` hook accepts it, on every admin request. Logins are
 * logged by the edge, which answers them.
 */
const NOTABLE_AUDIT = /^(flows\.set|nodes\.(install|remove|enable|disable)|context\.delete|library\.set)/;

const text = (msg: unknown): string => {
  if (typeof msg === 'string') return msg;
  if (msg instanceof Error) return msg.message;
  try {
    return JSON.stringify(msg);
  } catch {
    return String(msg);
  }
};

/**
 * Node-RED's `logging` setting with its console logger replaced: runtime, flow and node
 * messages go to the edge's pino logger with the node's type, id and name as fields.
 */
export function nodeRedLogging(log: Logger): Record<string, NodeRedLogHandler> {
  const level = log.level === 'silent' ? 'off' : (log.level as NodeRedLogHandler['level']);
  const write = (record: NodeRedLogRecord) => {
    if (record.level === AUDIT) {
      const event = record.event ?? '';
      const fields = { audit: event, user: record.user?.username ?? record.username };
      if (event.includes('fail')) log.warn(fields, 'Node-RED admin action refused');
      else if (NOTABLE_AUDIT.test(event)) log.info(fields, 'Node-RED admin action');
      else log.debug(fields, 'Node-RED admin action');
      return;
    }
    const pinoLevel = LEVEL_OF[record.level];
    if (pinoLevel === undefined) return; // metrics: not enabled
    const fields = record.type === undefined ? {} : { node: { type: record.type, id: record.id, name: record.name, flow: record.z } };
    log[pinoLevel](fields, text(record.msg).trim());
  };
  return { atrium: { level, metrics: false, audit: true, handler: () => write } };
}
