/**
 * A stateful GitHub-compatible API on 127.0.0.1 for the pipeline tests: pull requests whose head moves, served
 * through GraphQL at `/api/graphql` (GitHub Enterprise Server's path) by the in-memory GitHub of the loader tests
 * (every query validated against GitHub's published schema, then executed against the current state), check runs
 * that are really created and updated over REST (so "exactly one check run per head SHA" can be checked), app
 * deliveries for redelivery, and `fault`/`hang` hooks that answer instead of the simulation (outages, rate limits),
 * for REST and GraphQL requests alike. The organization `acme` holds `widgets` and any repositories a test adds
 * (`repositories`), and its `.github` repository when `organizationConfig` is set; the installation's repository
 * list and the open pull requests are paged as GitHub pages them (`per_page`, `page`, a `Link` header to the next).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  COPILOT,
  commit,
  fakePullRequest,
  files,
  pullRequestPayload,
  type PullRequestEventPayload,
  type RestPullRequest,
} from '../github/harness.js';
import { InMemoryGitHub, operationName } from '../github/graphql/fake-github.js';

export interface SimRequest {
  method: string;
  /** Path without `/api/v3`; GraphQL requests are `POST /api/graphql`. */
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body (the raw text when it is not JSON, undefined when empty). */
  body: unknown;
  /** For a GraphQL request: its operation (`PullRequestFacts`…) and variables (`number`…). */
  graphql?: { operation: string; variables: Record<string, unknown> };
}

export interface SimAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface SimCheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string };
  app: { id: number };
}

/** The body of REST "Create a check run" / "Update a check run" as the app sends it. */
interface CheckRunWrite {
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title: string; summary: string };
}

const CONFIG = '.github/ai-review.yml';

/** A repository of the organization `acme`: its `.github/ai-review.yml` on the default branch, and its open PRs. */
export interface SimRepository {
  /** null: no file. */
  config: string | null;
  pullRequests: Map<number, RestPullRequest>;
  archived?: boolean;
}

/** The configuration the simulation starts with on acme/widgets: agent PRs need an approval from @sam. */
export const SAM_CONFIG = 'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam"]\n';

export class SimulatedGitHub {
  readonly requests: SimRequest[] = [];
  readonly checkRuns: SimCheckRun[] = [];
  /** The organization's repositories by name, `widgets` first (the one `config` and `pullRequests` are of). */
  readonly repositories = new Map<string, SimRepository>([['widgets', { config: SAM_CONFIG, pullRequests: new Map() }]]);
  /** `.github/ai-review.yml` of acme/.github, the organization's defaults (null: no `.github` repository). */
  organizationConfig: string | null = null;
  /** The largest page GitHub gives a list request (100, whatever `per_page` asks more). */
  maxPerPage = 100;
  /** Answers instead of the simulation when it returns an answer (then the request has no effect). */
  fault: ((req: SimRequest) => SimAnswer | undefined) | null = null;
  /** The app's webhook deliveries as `GET /app/hook/deliveries` lists them, newest first. */
  hookDeliveries: unknown[] = [];
  /** What answers GraphQL; its `invalid` lists queries GitHub's schema would refuse (must stay empty). */
  readonly memory = new InMemoryGitHub();
  /** Requests for which this returns true are never answered (a hung connection, ended by `stop`). */
  hang: ((req: SimRequest) => boolean) | null = null;
  /** Delay before every answer, in ms. */
  latencyMs = 0;
  private server: Server | null = null;
  private origin = '';
  private nextCheckRunId = 1000;

  private get widgets(): SimRepository {
    return this.repositories.get('widgets')!;
  }

  /** `.github/ai-review.yml` of acme/widgets (null: none). */
  get config(): string | null {
    return this.widgets.config;
  }

  set config(text: string | null) {
    this.widgets.config = text;
  }

  /** The open pull requests of acme/widgets by number. */
  get pullRequests(): Map<number, RestPullRequest> {
    return this.widgets.pullRequests;
  }

  /**
   * Opens (or moves the head of) PR `number` of acme/`repo` (default widgets), an agent PR changing one file. Returns
   * the webhook payload (whose `repository` is acme/widgets's).
   */
  openPullRequest(number: number, headSha: string, action = 'opened', repo = 'widgets'): PullRequestEventPayload {
    const payload = pullRequestPayload(action, { number, sha: headSha, commits: 1, changedFiles: 1 });
    const repository = this.repositories.get(repo);
    if (!repository) throw new Error(`no repository acme/${repo} in the simulation`);
    repository.pullRequests.set(number, payload.pull_request);
    return payload;
  }

  /** Check runs on `sha`. */
  runsOn(sha: string): SimCheckRun[] {
    return this.checkRuns.filter((r) => r.head_sha === sha);
  }

  count(method: string, pattern: RegExp): number {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  }

  /** Evaluations that reached GitHub for PR `number`: the first facts query of each (`PullRequestFacts`). */
  evaluationsOf(number: number): number {
    return this.requests.filter((r) => r.graphql?.operation === 'PullRequestFacts' && r.graphql.variables.number === number).length;
  }

  /**
   * The organization as GraphQL sees it now: each repository's config on the default branch and its PRs, each an
   * agent PR changing one file, and acme/.github with the organization's config.
   */
  private syncMemory(): void {
    this.memory.repositories.length = 0;
    for (const [name, repository] of this.repositories)
      this.memory.repositories.push({
        owner: 'acme',
        name,
        files: repository.config === null ? {} : { [CONFIG]: repository.config },
        pulls: [...repository.pullRequests.values()].map((pr) =>
          fakePullRequest(pr, {
            files: files('src/app.ts'),
            commits: [commit(pr.head.sha, COPILOT, 'Change', '198982749+Copilot@users.noreply.github.com')],
          }),
        ),
      });
    if (this.organizationConfig !== null)
      this.memory.repositories.push({ owner: 'acme', name: '.github', files: { [CONFIG]: this.organizationConfig }, pulls: [] });
    this.memory.organizations.acme = {};
  }

  /**
   * One page of `items` as GitHub pages a list: `per_page` (default 30, at most `maxPerPage`) and `page` (from 1),
   * with a `Link` header to the next page when there is one (Octokit's `paginate` follows it).
   */
  private page<T>(req: SimRequest, items: readonly T[], wrap: (page: T[]) => unknown = (page) => page): SimAnswer {
    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), this.maxPerPage);
    const page = Number(req.query.get('page') ?? 1);
    const next = page * perPage < items.length;
    const query = new URLSearchParams(req.query);
    query.set('page', String(page + 1));
    return {
      status: 200,
      body: wrap(items.slice((page - 1) * perPage, page * perPage)),
      ...(next ? { headers: { link: `<${this.origin}/api/v3${req.path}?${query.toString()}>; rel="next"` } } : {}),
    };
  }

  private answer(req: SimRequest): SimAnswer {
    const fault = this.fault?.(req);
    if (fault) return fault;
    const { method, path } = req;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return { status: 201, body: { token: 'ghs_sim', expires_at: '2099-01-01T00:00:00Z' } };
    }
    if (method === 'POST' && path === '/api/graphql') {
      this.syncMemory();
      const { query, variables } = req.body as { query: string; variables?: Record<string, unknown> };
      return this.memory.execute(query, variables ?? {});
    }
    if (method === 'GET' && path === '/installation/repositories') {
      const names = [...this.repositories.keys(), ...(this.organizationConfig === null ? [] : ['.github'])];
      const all = names.map((name) => ({
        name,
        full_name: `acme/${name}`,
        owner: { login: 'acme' },
        archived: this.repositories.get(name)?.archived ?? false,
      }));
      return this.page(req, all, (repositories) => ({ total_count: all.length, repositories }));
    }
    let m = /^\/repos\/acme\/([^/]+)\/pulls$/.exec(path);
    const repository = m ? this.repositories.get(m[1]!) : undefined;
    if (m && method === 'GET') return repository ? this.page(req, [...repository.pullRequests.values()]) : this.page(req, []);
    m = /^\/repos\/acme\/([^/]+)\/contents\/(.+)$/.exec(path);
    if (m && method === 'GET') {
      const text = m[2] !== CONFIG ? null : m[1] === '.github' ? this.organizationConfig : (this.repositories.get(m[1]!)?.config ?? null);
      return text === null
        ? { status: 404, body: { message: 'Not Found' } }
        : { status: 200, body: text, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' } };
    }
    if (method === 'POST' && /^\/repos\/acme\/[^/]+\/pulls\/\d+\/requested_reviewers$/.test(path)) return { status: 201, body: {} };
    m = /^\/repos\/acme\/[^/]+\/commits\/([0-9a-f]+)\/check-runs$/.exec(path);
    if (m && method === 'GET') {
      const runs = this.runsOn(m[1]!);
      return { status: 200, body: { total_count: runs.length, check_runs: runs } };
    }
    if (method === 'POST' && /^\/repos\/acme\/[^/]+\/check-runs$/.test(path)) {
      const body = req.body as CheckRunWrite & Pick<SimCheckRun, 'output'>;
      const run: SimCheckRun = {
        id: this.nextCheckRunId++,
        head_sha: body.head_sha,
        name: body.name,
        status: body.status,
        conclusion: body.conclusion ?? null,
        output: body.output,
        app: { id: 123 },
      };
      this.checkRuns.push(run);
      return { status: 201, body: run };
    }
    m = /^\/repos\/acme\/[^/]+\/check-runs\/(\d+)$/.exec(path);
    if (m && method === 'PATCH') {
      const id = Number(m[1]);
      const run = this.checkRuns.find((r) => r.id === id);
      if (!run) return { status: 404, body: { message: 'Not Found' } };
      const body = req.body as CheckRunWrite;
      Object.assign(run, { status: body.status, conclusion: body.conclusion ?? null, output: body.output ?? run.output });
      return { status: 200, body: run };
    }
    if (method === 'GET' && path === '/app/hook/deliveries') {
      // Paged as GitHub pages it: `cursor` (an opaque token; here the index of the page's first item) in the Link header.
      const perPage = Math.min(Number(req.query.get('per_page') ?? 30), this.maxPerPage);
      const from = Number(/^v1_(\d+)$/.exec(req.query.get('cursor') ?? '')?.[1] ?? 0);
      const next = from + perPage < this.hookDeliveries.length;
      return {
        status: 200,
        body: this.hookDeliveries.slice(from, from + perPage),
        ...(next
          ? { headers: { link: `<${this.origin}/api/v3/app/hook/deliveries?per_page=${perPage}&cursor=v1_${from + perPage}>; rel="next"` } }
          : {}),
      };
    }
    if (method === 'POST' && /^\/app\/hook\/deliveries\/\d+\/attempts$/.test(path)) return { status: 202, body: {} };
    return { status: 404, body: { message: `Not Found: ${method} ${path}` } };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        let body: unknown = undefined;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = raw;
        }
        const request: SimRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname.replace(/^\/api\/v3/, '')),
          query: url.searchParams,
          body,
          ...(isGraphqlRequest(req.method, url.pathname, body)
            ? {
                graphql: {
                  operation: operationName((body as { query: string }).query),
                  variables: (body as { variables?: Record<string, unknown> }).variables ?? {},
                },
              }
            : {}),
        };
        if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
        this.requests.push(request);
        if (this.hang?.(request)) return;
        const answer = this.answer(request);
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.origin = `http://${host}`;
    return host;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function isGraphqlRequest(method: string | undefined, pathname: string, body: unknown): boolean {
  return method === 'POST' && pathname === '/api/graphql' && typeof (body as { query?: unknown } | undefined)?.query === 'string';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
