/**
 * A GitHub-compatible REST API on 127.0.0.1 for end-to-end tests: a route table of canned answers, and a log of
 * every request it received. The app reaches it through GHE_HOST/GHE_PROTOCOL (base URL `/api/v3`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query string. */
  path: string;
  query: string;
  body: unknown;
}

type Answer = { status?: number; body: unknown; headers?: Record<string, string> };
type Route = (req: FakeRequest) => Answer;

export class FakeGitHub {
  readonly requests: FakeRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private server: Server | null = null;
  /** `127.0.0.1:PORT` once started (the value for GHE_HOST). */
  host = '';

  /** Answers `METHOD path` (exact path after /api/v3) with a fixed answer or a function of the request. */
  on(method: string, path: string, answer: Answer | Route): this {
    this.routes.set(`${method} ${path}`, typeof answer === 'function' ? answer : () => answer);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const path = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ''));
        let body: unknown = raw;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          /* keep the raw text */
        }
        const request: FakeRequest = { method: req.method ?? 'GET', path, query: url.search, body };
        this.requests.push(request);
        const route = this.routes.get(`${request.method} ${path}`);
        const answer = route ? route(request) : { status: 404, body: { message: 'Not Found' } };
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** `METHOD path` of every request, in order. */
  routesCalled(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
