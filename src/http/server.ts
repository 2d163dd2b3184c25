/**
 * The HTTP server of `npm start`: node:http with a list of handlers tried in order, `GET /ping`, and exactly one
 * log line per request (method, path without query, status, duration, and what the handler added with
 * {@link describeRequest}). Request headers and bodies are never logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { withoutQuery } from '../logging.js';

/**
 * A request handler: returns (or resolves to) true when it answered the request, false to let the next one try.
 * The same shape as Probot's `addHandler` handlers, so the app's handlers (e.g. `/metrics`) plug in unchanged.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | boolean | Promise<void | boolean>;

/** What a handler tells the request log about a request: extra fields, and optionally the message and level. */
export interface RequestFacts {
  msg?: string;
  level?: 'debug' | 'info' | 'warn' | 'error';
  [field: string]: unknown;
}

const facts = new WeakMap<ServerResponse, RequestFacts>();

/** Adds fields to the one log line of this request (later calls add to and override earlier ones). */
export function describeRequest(res: ServerResponse, fields: RequestFacts): void {
  facts.set(res, { ...facts.get(res), ...fields });
}

/** Paths whose successful requests are logged at `debug` only (health checks and scrapes come every few seconds). */
const QUIET_PATHS = new Set(['/ping', '/ready', '/metrics']);

/** `GET /ping` answers `PONG` (Probot's liveness endpoint, kept for existing health checks). */
export const pingHandler: Handler = (req, res) => {
  if (withoutQuery(req.url ?? '') !== '/ping') return false;
  res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'PONG');
  return true;
};

/** A running HTTP server. */
export interface HttpServer {
  /** The underlying node:http server. */
  readonly server: Server;
  /** Replaces the handlers (e.g. when the setup flow has registered the app). */
  setHandlers(handlers: Handler[]): void;
  /** Listens on `host:port` (port 0: any free port). Resolves to the bound address; rejects when the port is taken. */
  listen(port: number, host: string): Promise<{ host: string; port: number }>;
  /** Stops accepting connections, closes idle ones, and waits up to `graceMs` (default 10 000 ms) for requests in flight. */
  close(graceMs?: number): Promise<void>;
}

/**
 * How long an idle keep-alive connection stays open by default, in ms: longer than the idle timeout of the usual
 * load balancers and proxies in front of the app (AWS ALB and nginx: 60 s), so that they, not the app, close idle
 * connections. The other way round, a proxy may send a delivery on a connection the app is closing at that moment,
 * and answers GitHub 502 (a failed delivery). Node.js's own default is 5 s.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 75_000;

/**
 * Creates the server (not yet listening). `handlers` are tried in order; nothing answering means 404. A request with
 * `Expect: 100-continue` gets `100 Continue` unless `refuseBeforeContinue` says it will be refused anyway.
 * `keepAliveTimeoutMs` (default {@link DEFAULT_KEEP_ALIVE_TIMEOUT_MS}) is how long an idle connection is kept open
 * (node:http `keepAliveTimeout`; announced in each response's `Keep-Alive` header).
 */
export function createHttpServer(options: {
  log: Logger;
  handlers: Handler[];
  refuseBeforeContinue?: (req: IncomingMessage) => boolean;
  keepAliveTimeoutMs?: number;
}): HttpServer {
  const log = options.log;
  let handlers = options.handlers;
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once('close', () => logRequest(log, req, res, started));
    void dispatch(handlers, req, res, log);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  // `Expect: 100-continue`: ask for the body unless the request will be refused from its headers alone.
  server.on('checkContinue', (req, res) => {
    if (!options.refuseBeforeContinue?.(req)) res.writeContinue();
    server.emit('request', req, res);
  });
  return {
    server,
    setHandlers(next) {
      handlers = next;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          if (error.code === 'EADDRINUSE') error.message = `port ${port} on ${host} is already in use; set PORT to another port`;
          reject(error);
        };
        server.once('error', onError);
        server.listen({ port, host }, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    close(graceMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close((error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

async function dispatch(handlers: Handler[], req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  try {
    for (const handler of handlers) {
      if ((await handler(req, res)) === true) return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  } catch (error) {
    log.error({ err: error, req }, 'request handler failed');
    describeRequest(res, { reason: 'handler failed' });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
    else res.destroy();
  }
}

function logRequest(log: Logger, req: IncomingMessage, res: ServerResponse, started: number): void {
  const { msg, level: chosen, ...fields } = facts.get(res) ?? {};
  const path = withoutQuery(req.url ?? '').slice(0, 200);
  const status = res.statusCode;
  const level =
    chosen ?? (!res.writableFinished ? 'warn' : status >= 500 ? 'error' : status < 400 && QUIET_PATHS.has(path) ? 'debug' : 'info');
  log[level](
    {
      method: req.method,
      path,
      status,
      ms: Math.round(performance.now() - started),
      ...(res.writableFinished ? {} : { aborted: true }),
      ...fields,
    },
    msg ?? 'request',
  );
}
