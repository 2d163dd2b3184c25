/**
 * A GitHub-compatible API on 127.0.0.1 for end-to-end tests: a route table of canned REST answers, GraphQL at
 * `/api/graphql` answered by an in-memory GitHub (test/github/graphql/fake-github.ts: every query validated against
 * GitHub's published schema, then executed), and a log of every request it received. The app reaches it through
 * GHE_HOST/GHE_PROTOCOL (REST base URL `/api/v3`, GraphQL `/api/graphql`, as on GitHub Enterprise Server).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InMemoryGitHub } from '../github/graphql/fake-github.js';

export interface FakeRequest {
  method: string;
  /** Path without the `/api/v3` prefix (GraphQL: `/api/graphql`) and without the query string. */
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

  /**
   * Serves `POST /api/graphql` from `memory`, and the REST reads of the fact loader (a page of a PR's files, raw
   * contents) that no route answers.
   */
  graphql(memory: InMemoryGitHub): this {
    this.memory = memory;
    return this.on('POST', '/api/graphql', (req) => {
      const { query, variables } = req.body as { query: string; variables?: Record<string, unknown> };
      return memory.execute(query, variables ?? {});
    });
  }

  private memory: InMemoryGitHub | null = null;

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
        const rest = route ? null : this.memory?.answerRest(request.method, `${path}${url.search}`);
        const answer = route
          ? route(request)
          : rest
            ? { status: rest[0], body: rest[1], headers: rest[2] }
            : { status: 404, body: { message: 'Not Found' } };
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
