import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The small part of Node-RED's JavaScript API the edge uses, typed here because node-red
 * ships no type declarations. Only what we call is declared; nothing is widened to `any`.
 */
export type ConnectHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface NodeRedRuntime {
  init(server: Server, settings: NodeRedSettings): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: ConnectHandler;
  readonly httpNode: ConnectHandler;
  /** Node-RED's runtime events (@node-red/util events). */
  readonly events: {
    once(event: 'flows:started', listener: () => void): void;
    removeListener(event: 'flows:started', listener: () => void): void;
  };
}

/** One log record as @node-red/util hands it to a custom handler. */
export interface NodeRedLogRecord {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
  z?: string;
  event?: string;
  username?: string;
  user?: { username?: string };
}

export interface NodeRedLogHandler {
  level: 'off' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  metrics: boolean;
  audit: boolean;
  handler: () => (record: NodeRedLogRecord) => void;
}

export interface NodeRedUser {
  username: string;
  permissions: '*' | 'read';
}

export interface NodeRedSettings {
  userDir: string;
  flowFile: string;
  flowFilePretty: boolean;
  credentialSecret: string;
  httpAdminRoot: string;
  httpNodeRoot: string;
  httpNodeAuth: { user: string; pass: string };
  adminAuth: {
    type: 'credentials';
    users: (NodeRedUser & { password: string })[];
    /** Validates the bearer tokens the edge issued (the host answers /auth/token itself). */
    tokens: (token: string) => Promise<NodeRedUser | null>;
  };
  webSocketNodeVerifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => void;
  nodesDir: string[];
  logging: Record<string, NodeRedLogHandler>;
  editorTheme: Record<string, unknown>;
  externalModules: Record<string, unknown>;
  functionExternalModules: boolean;
  functionGlobalContext: Record<string, unknown>;
  telemetry: { enabled: boolean; updateNotification: boolean };
  diagnostics: { enabled: boolean; ui: boolean };
  /** Read by edge/nodes/atrium.cjs: how the gateway hands its TypeScript nodes to Node-RED. */
  atrium: AtriumNodeHook;
}

export interface AtriumNodeHook {
  registerNodes(red: NodeApi): void;
}

/** A Node-RED message: free-form, with the properties our nodes read validated by zod. */
export type NodeMessage = Record<string, unknown>;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** A node instance as Node-RED builds it (after RED.nodes.createNode). */
export interface NodeInstance {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  on(event: 'input', listener: (msg: NodeMessage, send: (msg: NodeMessage) => void, done: (err?: Error) => void) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage): void;
  status(status: NodeStatus): void;
  error(err: string | Error, msg?: NodeMessage): void;
  warn(message: string): void;
}

/** The config object the editor saved for one node: its `defaults` plus id, type, z, wires. */
export type NodeDefinition = Record<string, unknown> & { id: string; type: string };

export type NodeConstructor = (this: NodeInstance, def: NodeDefinition) => void;

/** The `RED` object a node module receives. */
export interface NodeApi {
  nodes: {
    createNode(node: NodeInstance, def: NodeDefinition): void;
    registerType(type: string, constructor: NodeConstructor): void;
  };
}

export type { IncomingMessage, ServerResponse };
