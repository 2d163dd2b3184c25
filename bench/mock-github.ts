/**
 * A local, stateful GitHub API for the benchmark. It answers every call the app's jobs make (GitHub Enterprise
 * Server paths: REST under `/api/v3`, GraphQL at `POST /api/graphql`) from the pull requests the load generator
 * installs before sending each delivery (GitHub changes a pull request, then sends the webhook), and it stores the
 * `ai-review` check runs the app creates and updates, per head SHA, with every write. The facts query
 * (`PullRequestFacts` and its follow-ups) is answered by the test suite's in-memory GitHub
 * (test/github/graphql/fake-github.ts): every query is validated against GitHub's published schema and executed
 * against the pull request's current state, so the bench fails when the app's query would fail on GitHub. An optional
 * fixed latency per response (`latencyMs`) approximates a real API round trip; 0 is the worst case for the share of
 * the app's own work.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import nock from 'nock';
import {
  InMemoryGitHub,
  operationName,
  type FakeActor,
  type FakeCommit,
  type FakePullRequest,
  type FakeRepository,
} from '../test/github/graphql/fake-github.js';

// fake-github.ts also holds the nock-mounted fake of the unit tests, and importing nock patches `http` and `fetch`
// of this process (the load generator's client). The bench mocks nothing in-process: give the real ones back.
nock.restore();

/** A GitHub account as the REST API shows it. */
export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

/** A commit of a pull request (REST "List commits on a pull request"). */
export interface MockCommit {
  sha: string;
  author: Account;
  message: string;
  date: string;
}

/** A submitted review (REST "List reviews for a pull request"). */
export interface MockReview {
  id: number;
  user: Account;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  commitId: string;
  submittedAt: string;
}

/** The state of one pull request. `version` increases with every change the load generator makes. */
export interface MockPullRequest {
  owner: string;
  repo: string;
  number: number;
  version: number;
  title: string;
  user: Account;
  headRef: string;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  labels: string[];
  assignees: Account[];
  commits: MockCommit[];
  reviews: MockReview[];
  createdAt: string;
  updatedAt: string;
}

/** One `ai-review` check run with its write history (times in ms of `performance.now()` of this process). */
export interface MockCheckRun {
  id: number;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  /** Method (`POST` create, `PATCH` update) and time of every write. */
  writes: Array<{ method: string; at: number }>;
}

/** What the mock saw of one pull request. */
export interface PullRequestObservation {
  /** `PullRequestFacts` GraphQL queries (the first facts query of each evaluation), with the version each read. */
  reads: number[];
  /** `PullRequestFacts` queries: evaluations that gathered the facts. */
  evaluations: number;
}

/** Time spent answering GraphQL requests (validation against GitHub's schema and execution), in ms of this process. */
export interface GraphqlTiming {
  requests: number;
  totalMs: number;
  maxMs: number;
  /** Queries GitHub's schema refuses (must be 0; each is answered with `errors`). */
  invalid: number;
}

/**
 * What the app spent of an installation's GitHub API budget, as the mock counted it (cumulative): GraphQL queries and
 * their points by GitHub's cost formula (`rateLimit { cost }`), REST reads (GET) and writes (POST/PATCH/PUT/DELETE).
 * Not counted: the installation-token exchange and `GET /app` (made with the app's JWT, outside the installation's
 * budget).
 */
export interface ApiBudget {
  graphqlQueries: number;
  graphqlPoints: number;
  restReads: number;
  restWrites: number;
  /** `PullRequestFacts` queries: evaluations. */
  evaluations: number;
}

/** The running mock. */
export interface MockGitHub {
  /** `host:port` for GHE_HOST. */
  host: string;
  /** Installs (or replaces) a pull request's state; the app's next reads see it. */
  setPullRequest(pr: MockPullRequest): void;
  /** The pull request's current state, if installed. */
  pullRequest(owner: string, repo: string, number: number): MockPullRequest | undefined;
  /** Check runs on `headSha` of `owner/repo`, oldest first. */
  checkRuns(owner: string, repo: string, headSha: string): MockCheckRun[];
  /** What the mock saw of the pull request: its job runs and evaluations. */
  observation(owner: string, repo: string, number: number): PullRequestObservation;
  /** Requests answered so far. */
  requests(): number;
  /** Cost of the GraphQL answers so far. */
  graphqlTiming(): GraphqlTiming;
  /** The API budget spent so far (take differences around a phase). */
  budget(): ApiBudget;
  stop(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const PR_BODY = 'Copilot coding agent tips: https://gh.io/copilot-coding-agent-tips';
/** The files every benchmark pull request changes (GitHub's `files` of the pull request). */
const FILES = [
  { filename: 'src/server.ts', additions: 10, deletions: 2 },
  { filename: '.github/workflows/ci.yml', additions: 1, deletions: 1 },
];

const prKey = (owner: string, repo: string, number: number | string) => `${owner.toLowerCase()}/${repo.toLowerCase()}#${number}`;
const shaKey = (owner: string, repo: string, sha: string) => `${owner.toLowerCase()}/${repo.toLowerCase()}@${sha}`;

/** The REST "pull request" object of a state. */
export function pullRequestJson(pr: MockPullRequest): Record<string, unknown> {
  return {
    number: pr.number,
    state: pr.state,
    draft: false,
    merged: pr.merged,
    title: pr.title,
    body: PR_BODY,
    user: pr.user,
    head: { ref: pr.headRef, sha: pr.headSha },
    base: { ref: 'main', repo: { full_name: `${pr.owner}/${pr.repo}` } },
    labels: pr.labels.map((name) => ({ name })),
    assignees: pr.assignees,
    requested_reviewers: [],
    requested_teams: [],
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.state === 'closed' ? pr.updatedAt : null,
    merged_at: pr.merged ? pr.updatedAt : null,
    commits: pr.commits.length,
    changed_files: 2,
    additions: 11,
    deletions: 3,
  };
}

const commitIdentity = (c: MockCommit) =>
  c.author.type === 'Bot'
    ? { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com' }
    : { name: c.author.login, email: `${c.author.login}@example.com` };

/** A REST account as GraphQL shows it: the Copilot coding agent is the bot `copilot-swe-agent`, other bots drop `[bot]`. */
function graphqlActor(a: Account): FakeActor {
  if (a.type === 'User') return { __typename: 'User', login: a.login, databaseId: a.id };
  return { __typename: 'Bot', login: a.login === 'Copilot' ? 'copilot-swe-agent' : a.login.replace(/\[bot\]$/, ''), databaseId: a.id };
}

/** A commit as GraphQL shows it (`GitActor.user` is a User, null for bots), with the identity {@link commitJson} gives REST. */
function graphqlCommit(c: MockCommit): FakeCommit {
  const identity = commitIdentity(c);
  const user = c.author.type === 'User' ? { login: c.author.login, databaseId: c.author.id } : null;
  return { oid: c.sha, message: c.message, author: { ...identity, user }, committer: { ...identity, user }, date: c.date, signature: null };
}

/**
 * The pull request as the in-memory GitHub serves it through GraphQL: the same facts {@link pullRequestJson} and
 * the former REST reads gave (two modified files, no timeline events, every reviewer able to push).
 */
export function fakePullRequest(pr: MockPullRequest): FakePullRequest {
  return {
    number: pr.number,
    author: graphqlActor(pr.user),
    title: pr.title,
    body: PR_BODY,
    isDraft: false,
    state: pr.merged ? 'MERGED' : pr.state === 'open' ? 'OPEN' : 'CLOSED',
    headRefName: pr.headRef,
    headRefOid: pr.headSha,
    labels: pr.labels,
    assignees: pr.assignees.map(graphqlActor),
    reviewRequests: [],
    files: FILES.map((f) => ({ path: f.filename, changeType: 'MODIFIED' as const })),
    commits: pr.commits.map(graphqlCommit),
    reviews: pr.reviews.map((rv) => ({
      id: rv.id,
      author: graphqlActor(rv.user),
      state: rv.state,
      commit: rv.commitId,
      submittedAt: rv.submittedAt,
      canPush: true,
    })),
    timeline: [],
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    closedAt: pr.state === 'closed' ? pr.updatedAt : null,
    mergedAt: pr.merged ? pr.updatedAt : null,
    additions: 11,
    deletions: 3,
  };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Starts the mock on 127.0.0.1 (random port). `appId` is the id the check runs are listed under. */
export async function startMockGitHub(options: { latencyMs: number; appId: number }): Promise<MockGitHub> {
  let count = 0;
  let nextCheckRunId = 1;
  const pulls = new Map<string, MockPullRequest>();
  const observations = new Map<string, PullRequestObservation>();
  const runsBySha = new Map<string, MockCheckRun[]>();
  const runsById = new Map<number, MockCheckRun>();
  const observe = (key: string): PullRequestObservation => {
    let o = observations.get(key);
    if (!o) observations.set(key, (o = { reads: [], evaluations: 0 }));
    return o;
  };
  const checkRunJson = (run: MockCheckRun) => ({
    id: run.id,
    name: 'ai-review',
    head_sha: run.headSha,
    status: run.status,
    conclusion: run.conclusion,
    output: { title: run.title, summary: run.summary },
    app: { id: options.appId },
  });
  const writeCheckRun = (run: MockCheckRun, body: Record<string, unknown>, method: string) => {
    const output = (body.output ?? {}) as { title?: string; summary?: string };
    if (typeof body.status === 'string') run.status = body.status;
    if (typeof body.conclusion === 'string') run.conclusion = body.conclusion;
    if (output.title !== undefined) run.title = output.title;
    if (output.summary !== undefined) run.summary = output.summary;
    run.writes.push({ method, at: performance.now() });
  };

  const memory = new InMemoryGitHub('/api/v3');
  const timing: GraphqlTiming = { requests: 0, totalMs: 0, maxMs: 0, invalid: 0 };
  const budget: ApiBudget = { graphqlQueries: 0, graphqlPoints: 0, restReads: 0, restWrites: 0, evaluations: 0 };
  /**
   * One GraphQL request: the queried pull request's current state becomes the in-memory GitHub's repository (no
   * `.github/ai-review.yml`, no teams), then the query is validated and executed. A `PullRequestFacts` query is
   * one evaluation reading the pull request's current version.
   */
  const graphql = (body: unknown): Answer => {
    const started = performance.now();
    const { query, variables = {} } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    if (typeof query !== 'string') return { status: 400, body: { message: 'Problems parsing JSON' } };
    const owner = typeof variables.owner === 'string' ? variables.owner : '';
    const name = typeof variables.name === 'string' ? variables.name : '';
    const number = Number(variables.number);
    const pr = pulls.get(prKey(owner, name, number));
    // The app's check runs on the head commit, as GraphQL's `Commit.checkSuites { checkRuns }` shows them.
    const headCheckRuns = pr
      ? (runsBySha.get(shaKey(owner, name, pr.headSha)) ?? []).map((run) => ({
          id: run.id,
          appId: options.appId,
          name: 'ai-review',
          status: run.status.toUpperCase() as 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED',
          conclusion: run.conclusion ? run.conclusion.toUpperCase() : null,
          title: run.title,
          summary: run.summary,
        }))
      : [];
    const repository: FakeRepository = { owner, name, files: {}, pulls: pr ? [{ ...fakePullRequest(pr), headCheckRuns }] : [] };
    memory.repositories.length = 0;
    memory.repositories.push(repository);
    memory.organizations[owner] = {};
    if (operationName(query) === 'PullRequestFacts') budget.evaluations += 1;
    if (pr && operationName(query) === 'PullRequestFacts') {
      const seen = observe(prKey(owner, name, number));
      seen.reads.push(pr.version);
      seen.evaluations += 1;
    }
    const answer = memory.execute(query, variables);
    for (const r of memory.requests) if (r.api === 'graphql') budget.graphqlPoints += r.cost ?? 0;
    memory.requests.length = 0;
    const ms = performance.now() - started;
    timing.requests += 1;
    timing.totalMs += ms;
    timing.maxMs = Math.max(timing.maxMs, ms);
    timing.invalid = memory.invalid.length;
    return answer;
  };

  const routes: Array<[string, RegExp, (m: string[], body: unknown) => Answer]> = [
    [
      'POST',
      /^\/app\/installations\/\d+\/access_tokens$/,
      () => ({ status: 201, body: { token: 'ghs_bench', expires_at: '2099-01-01T00:00:00Z', permissions: {} } }),
    ],
    ['GET', /^\/app$/, () => ({ status: 200, body: { id: options.appId, slug: 'ai-review' } })],
    // No `.github/ai-review.yml` anywhere: the built-in rules apply.
    ['GET', /^\/repos\/[^/]+\/[^/]+\/contents\/.+$/, () => ({ status: 404, body: { message: 'Not Found' } })],
    ['POST', /^\/graphql$/, (_m, body) => graphql(body)],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/,
      ([, o, r, sha]) => {
        const runs = (runsBySha.get(shaKey(o!, r!, sha!)) ?? []).map(checkRunJson);
        return { status: 200, body: { total_count: runs.length, check_runs: runs } };
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/,
      ([, o, r], body) => {
        const b = (body ?? {}) as Record<string, unknown>;
        const headSha = String(b.head_sha);
        const run: MockCheckRun = { id: nextCheckRunId++, headSha, status: 'queued', conclusion: null, title: '', summary: '', writes: [] };
        writeCheckRun(run, b, 'POST');
        const key = shaKey(o!, r!, headSha);
        runsBySha.set(key, [...(runsBySha.get(key) ?? []), run]);
        runsById.set(run.id, run);
        return { status: 201, body: checkRunJson(run) };
      },
    ],
    [
      'PATCH',
      /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/,
      ([, id], body) => {
        const run = runsById.get(Number(id));
        if (!run) return { status: 404, body: { message: 'Not Found' } };
        writeCheckRun(run, (body ?? {}) as Record<string, unknown>, 'PATCH');
        return { status: 200, body: checkRunJson(run) };
      },
    ],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/requested_reviewers$/, () => ({ status: 201, body: {} })],
  ];

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      count += 1;
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/api(\/v3)?/, ''));
      let answer: Answer = { status: 404, body: { message: 'Not Found' } };
      if (path === '/graphql') budget.graphqlQueries += 1;
      else if (!/^\/app(\/installations\/\d+\/access_tokens)?$/.test(path)) {
        if (req.method === 'GET') budget.restReads += 1;
        else budget.restWrites += 1;
      }
      for (const [method, pattern, handler] of routes) {
        const m = method === req.method ? pattern.exec(path) : null;
        if (m) {
          answer = handler([...m], body);
          break;
        }
      }
      const send = (): void => {
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      };
      if (options.latencyMs > 0) setTimeout(send, options.latencyMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    setPullRequest: (pr) => pulls.set(prKey(pr.owner, pr.repo, pr.number), pr),
    pullRequest: (owner, repo, number) => pulls.get(prKey(owner, repo, number)),
    checkRuns: (owner, repo, headSha) => runsBySha.get(shaKey(owner, repo, headSha)) ?? [],
    observation: (owner, repo, number) => observations.get(prKey(owner, repo, number)) ?? { reads: [], evaluations: 0 },
    requests: () => count,
    graphqlTiming: () => ({ ...timing }),
    budget: () => ({ ...budget }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
