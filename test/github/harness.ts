/**
 * Test harness for the Probot app: real webhook payloads from @octokit/webhooks-examples (with an installation
 * added), a Probot instance with retries and throttling off, and a nock-backed GitHub that records every call. Facts
 * are read the way the app reads them: `POST /graphql`, validated against GitHub's published schema and executed
 * against an in-memory repository (test/github/graphql/fake-github.ts) that holds the same pull request the webhook
 * payload carries, with its files, commits, reviews and events given in REST shapes and turned into what GitHub's
 * GraphQL API returns for them ({@link fakePullRequest}).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/github/app.js';
import { SqliteJobQueue } from '../../src/queue/sqlite.js';
import type { JobHandler } from '../../src/queue/types.js';
import type { MetricsSink } from '../../src/metrics/sink.js';
import {
  InMemoryGitHub,
  type FakeActor,
  type FakeCheckRun,
  type FakeCommit,
  type FakeFile,
  type FakePullRequest,
  type FakeRepository,
  type FakeReview,
  type FakeTimelineItem,
} from './graphql/fake-github.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

export const API = 'https://api.github.com';
export const OWNER = 'acme';
export const REPO = 'widgets';
export const INSTALLATION_ID = 4242;
export const APP_SLUG = 'ai-review';

export const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

/** An account as payloads carry it (REST "simple user"; only the fields the tests read or set). */
export type PayloadAccount = RestAccount & Record<string, unknown>;

/**
 * The fields every webhook payload the tests deliver has (the rest of the example payload is kept as is). Type aliases,
 * not interfaces, so that a payload is a `Record<string, unknown>`.
 */
export type WebhookPayload = {
  action?: string;
  installation?: { id: number; node_id: string };
  repository: { name: string; full_name: string; owner: { login: string }; default_branch: string };
  sender?: PayloadAccount;
};

/** A webhook payload's `pull_request` as {@link pullRequestPayload} fills it in. */
export interface PayloadPullRequest extends RestPullRequest {
  user: PayloadAccount;
  head: { ref: string; sha: string };
  labels: Array<{ id: number; name: string; color: string; default: boolean }>;
  additions?: number;
  deletions?: number;
}

/** A `pull_request` event payload (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request). */
export type PullRequestEventPayload = WebhookPayload & {
  number: number;
  pull_request: PayloadPullRequest;
};

/** A `pull_request_review` event payload: the review and the pull request it is on. */
export type PullRequestReviewEventPayload = WebhookPayload & {
  pull_request: PayloadPullRequest;
  review: { user: PayloadAccount | null; state: string; commit_id: string };
};

/** A `check_run` event payload: the check run, its app and its pull requests. */
export type CheckRunEventPayload = WebhookPayload & {
  check_run: {
    name: string;
    head_sha: string;
    app: { id: number };
    pull_requests: Array<{
      number: number;
      id: number;
      url: string;
      head: { ref: string; sha: string; repo: object };
      base: { ref: string; sha: string; repo: object };
    }>;
  };
};

/** A commit of a `push` event payload: the paths it added, removed and modified. */
export interface PushCommit {
  id: string;
  added: string[];
  removed: string[];
  modified: string[];
}

/** A `push` event payload. */
export type PushEventPayload = WebhookPayload & {
  ref: string;
  commits: PushCommit[];
  head_commit: PushCommit | null;
};

/** A `merge_group` event payload: the merge group's head SHA and ref (`refs/heads/gh-readonly-queue/…`). */
export type MergeGroupEventPayload = WebhookPayload & {
  merge_group: { head_sha: string; head_ref: string };
};

/** An `issue_comment` event payload: the issue (a PR when it has `pull_request`) and the comment. */
export type IssueCommentEventPayload = WebhookPayload & {
  issue: { number: number; pull_request?: { url: string } };
  comment: { id: number; body: string; user: PayloadAccount; created_at: string; updated_at: string };
};

/** The payload types of the events the tests take examples of, by event name. */
export interface ExamplePayloads {
  pull_request: PullRequestEventPayload;
  pull_request_review: PullRequestReviewEventPayload;
  check_run: CheckRunEventPayload;
  push: PushEventPayload;
  merge_group: MergeGroupEventPayload;
  issue_comment: IssueCommentEventPayload;
}

/** Any payload {@link examplePayload} returns. */
export type ExamplePayload = ExamplePayloads[keyof ExamplePayloads];

/**
 * A deep copy of the first example payload of `name` with `action`, moved to acme/widgets and given an installation.
 * Typed with the fields the tests touch; the examples are GitHub's documented payloads (@octokit/webhooks-examples).
 */
export function examplePayload<N extends keyof ExamplePayloads>(name: N, action?: string): ExamplePayloads[N] {
  const group = examples.find((e) => e.name === name);
  const example = group?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example for ${name}.${action}`);
  const payload = structuredClone(example) as unknown as ExamplePayloads[N];
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  payload.repository.name = REPO;
  payload.repository.full_name = `${OWNER}/${REPO}`;
  payload.repository.owner.login = OWNER;
  payload.repository.default_branch = 'main';
  return payload;
}

export const COPILOT = { login: 'Copilot', id: 198982749, type: 'Bot' };
export const HUMAN = (login: string, id = 1000) => ({ login, id, type: 'User' });

/** A `pull_request` payload for PR #`number` with the given author, head SHA and labels. */
export function pullRequestPayload(
  action: string,
  options: {
    number?: number;
    user?: PayloadAccount;
    sha?: string;
    ref?: string;
    labels?: string[];
    changedFiles?: number;
    commits?: number;
    body?: string;
    draft?: boolean;
    assignees?: PayloadAccount[];
    sender?: PayloadAccount;
  } = {},
): PullRequestEventPayload {
  const payload = examplePayload('pull_request', 'opened');
  payload.action = action;
  const pr = payload.pull_request;
  pr.number = options.number ?? 7;
  payload.number = pr.number;
  pr.user = { ...pr.user, ...(options.user ?? COPILOT) };
  pr.head.sha = options.sha ?? 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
  pr.head.ref = options.ref ?? 'copilot/fix-login';
  pr.labels = (options.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ffffff', default: false }));
  pr.state = 'open';
  pr.draft = options.draft ?? false;
  pr.changed_files = options.changedFiles ?? 2;
  pr.commits = options.commits ?? 2;
  pr.additions = 10;
  pr.deletions = 2;
  pr.body = options.body ?? 'Fixes the login bug.';
  pr.assignees = options.assignees ?? [];
  pr.requested_reviewers = [];
  pr.requested_teams = [];
  payload.sender = options.sender ?? pr.user;
  return payload;
}

export interface RecordedCall {
  method: string;
  path: string;
  /** The JSON request body (undefined for none); read it with {@link GitHubMock.body}. */
  body: unknown;
}

/** The body of REST "Create a check run" / "Update a check run" as the app sends it. */
export interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: string;
  conclusion?: string;
  output: { title: string; summary: string; text?: string };
}

/** Account fields of REST objects. */
export type RestAccount = { login: string; id?: number; type?: string };

/** An item of REST "List pull requests files". */
export interface RestFile {
  sha?: string;
  filename: string;
  status: string;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
}

interface RestGitIdentity {
  name: string;
  email: string;
  date: string;
}

/** An item of REST "List commits on a pull request". */
export interface RestCommit {
  sha: string;
  commit: { message: string; author: RestGitIdentity; committer: RestGitIdentity; verification?: { verified: boolean; reason: string } };
  author: RestAccount | null;
  committer: RestAccount | null;
}

/** An item of REST "List reviews for a pull request". */
export interface RestReview {
  id: number;
  user: RestAccount | null;
  state: string;
  commit_id: string;
  submitted_at: string;
  body?: string;
  author_association?: string;
}

/** A `labeled`, `unlabeled` or `review_requested` item of REST "List timeline events for an issue". */
export type RestTimelineEvent =
  | { event: 'labeled' | 'unlabeled'; actor: RestAccount; label: { name: string }; created_at: string }
  | {
      event: 'review_requested';
      actor: RestAccount;
      requested_team?: { slug: string };
      requested_reviewer?: RestAccount;
      created_at: string;
    };

/** An item of REST "List issue comments". */
export interface RestComment {
  id: number;
  user: RestAccount;
  body: string;
  created_at: string;
  updated_at: string;
}

/** The fields of a REST pull request (a webhook payload's `pull_request`) the in-memory GitHub serves. */
export interface RestPullRequest {
  number: number;
  user: RestAccount | null;
  title?: string;
  body?: string | null;
  draft?: boolean;
  state: string;
  merged_at?: string | null;
  head: { ref: string; sha: string };
  labels?: Array<{ name: string }>;
  assignees?: RestAccount[];
  requested_reviewers?: RestAccount[];
  requested_teams?: Array<{ slug: string }>;
  changed_files?: number;
  commits?: number;
}

/**
 * A REST account as GitHub's GraphQL API shows it: a bot's login without `[bot]` (and the Copilot coding agent, REST
 * login `Copilot`, as `copilot-swe-agent`), `__typename` from the REST `type`, `databaseId` the REST `id`.
 */
export function graphqlActor(account: RestAccount): FakeActor {
  const type = (account.type ?? 'User') as FakeActor['__typename'];
  const login =
    type === 'Bot' ? (account.login === 'Copilot' ? 'copilot-swe-agent' : account.login.replace(/\[bot\]$/, '')) : account.login;
  return { __typename: type, login, databaseId: account.id ?? 0 };
}

/** The facts of a pull request in REST shapes (as `files`, `commit`, `reviewItem` build them). */
export interface RestFacts {
  files: RestFile[];
  commits: RestCommit[];
  reviews?: RestReview[];
  /** Logins of reviewers who can push to the repository (GraphQL `authorCanPushToRepository`). */
  writers?: string[];
  timeline?: RestTimelineEvent[];
  comments?: RestComment[];
  /** Check runs on the head commit as GraphQL shows them (see `FakePullRequest.headCheckRuns`); undefined: unknown. */
  headCheckRuns?: FakeCheckRun[];
}

const gitUser = (account: RestAccount | null) =>
  account && (account.type ?? 'User') === 'User' ? { login: account.login, databaseId: account.id ?? 0 } : null;

/** A REST commit as the in-memory GitHub holds it (GraphQL's `GitActor.user` is a User, null for bots). */
function fakeCommit(rest: RestCommit): FakeCommit {
  const { commit } = rest;
  return {
    oid: rest.sha,
    message: commit.message,
    author: { name: commit.author.name, email: commit.author.email, user: gitUser(rest.author) },
    committer: { name: commit.committer.name, email: commit.committer.email, user: gitUser(rest.committer) },
    date: commit.author.date,
    signature: commit.verification?.verified ? { isValid: true, state: 'VALID' } : null,
  };
}

function fakeTimelineItem(rest: RestTimelineEvent): FakeTimelineItem {
  if (rest.event === 'review_requested') {
    const reviewer = rest.requested_team
      ? { __typename: 'Team' as const, slug: rest.requested_team.slug }
      : graphqlActor(rest.requested_reviewer ?? { login: 'ghost' });
    return { __typename: 'ReviewRequestedEvent', actor: graphqlActor(rest.actor), reviewer, createdAt: rest.created_at };
  }
  return {
    __typename: rest.event === 'labeled' ? 'LabeledEvent' : 'UnlabeledEvent',
    actor: graphqlActor(rest.actor),
    label: rest.label.name,
    createdAt: rest.created_at,
  };
}

const fakeComment = (c: RestComment): FakeTimelineItem => ({
  __typename: 'IssueComment',
  id: c.id,
  author: graphqlActor(c.user),
  body: c.body,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

/**
 * A pull request as the in-memory GitHub serves it through GraphQL: `pr` is the REST pull request (a webhook
 * payload's `pull_request`), `facts` its files, commits, reviews and events in REST shapes. Without `facts` the PR
 * has no files or commits listed (and GitHub's counts from `pr`: a PR too large to list).
 */
export function fakePullRequest(pr: RestPullRequest, facts?: RestFacts): FakePullRequest {
  const files = (facts?.files ?? []).map((f): FakeFile => {
    const changeType = (f.status === 'removed' ? 'DELETED' : f.status.toUpperCase()) as FakeFile['changeType'];
    return { path: f.filename, changeType, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) };
  });
  const reviews = (facts?.reviews ?? []).map((r): FakeReview => ({
    id: r.id,
    author: r.user ? graphqlActor(r.user) : null,
    state: r.state as FakeReview['state'],
    commit: r.commit_id,
    submittedAt: r.submitted_at,
    canPush: r.user !== null && (facts?.writers ?? []).includes(r.user.login),
  }));
  const timeline = [...(facts?.timeline ?? []).map(fakeTimelineItem), ...(facts?.comments ?? []).map(fakeComment)].sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt),
  );
  return {
    number: pr.number,
    author: pr.user ? graphqlActor(pr.user) : null,
    ...(pr.title !== undefined ? { title: pr.title } : {}),
    body: pr.body ?? '',
    isDraft: pr.draft ?? false,
    state: pr.state === 'open' ? 'OPEN' : pr.merged_at ? 'MERGED' : 'CLOSED',
    headRefName: pr.head.ref,
    headRefOid: pr.head.sha,
    labels: (pr.labels ?? []).map((l) => l.name),
    assignees: (pr.assignees ?? []).map(graphqlActor),
    reviewRequests: [
      ...(pr.requested_reviewers ?? []).map(graphqlActor),
      ...(pr.requested_teams ?? []).map((t) => ({ __typename: 'Team' as const, slug: t.slug })),
    ],
    files,
    ...(facts ? { changedFiles: files.length } : pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}),
    commits: (facts?.commits ?? []).map(fakeCommit),
    ...(facts ? { commitCount: facts.commits.length } : pr.commits !== undefined ? { commitCount: pr.commits } : {}),
    reviews,
    timeline,
    ...(facts?.headCheckRuns ? { headCheckRuns: facts.headCheckRuns } : {}),
  };
}

/** One GraphQL request as recorded: its operation and variables. */
export interface RecordedQuery {
  operation: string;
  variables: Record<string, unknown>;
}

/**
 * A mocked GitHub: REST interceptors registered with `get`/`post`/`patch` (each answers once and must be used), and
 * GraphQL answered from an in-memory GitHub (`memory`) holding acme/widgets: its default-branch files (`config`,
 * `file`), the @acme teams (`team`), and its pull requests (`pullRequest` with `pullRequestFacts`). Read `calls`
 * (every request but the token exchange, GraphQL as `POST /graphql` with its `{query, variables}`) afterwards.
 */
export class GitHubMock {
  readonly calls: RecordedCall[] = [];
  readonly api: nock.Scope;
  readonly memory = new InMemoryGitHub();
  readonly repo: FakeRepository = { owner: OWNER, name: REPO, files: {}, pulls: [] };
  unmatched: string[] = [];
  /** Answers a GraphQL request instead of the in-memory GitHub when it returns `[status, body]` (outages, errors). */
  graphqlFault: ((request: { query: string; variables: Record<string, unknown> }) => [number, unknown] | undefined) | null = null;
  private readonly pulls = new Map<number, RestPullRequest>();
  private readonly facts = new Map<number, RestFacts>();

  constructor() {
    nock.disableNetConnect();
    this.api = nock(API);
    this.memory.repositories.push(this.repo);
    this.memory.organizations[OWNER] = {};
    nock.emitter.on('no match', (req: { method?: string; path?: string }) => {
      this.unmatched.push(`${req.method} ${req.path}`);
    });
    this.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: { checks: 'write', pull_requests: 'write' } })
      .persist();
    this.api
      .post('/graphql')
      .reply((uri, body) => {
        this.record('POST')(uri, body);
        const { query, variables } = body as { query: string; variables?: Record<string, unknown> };
        const fault = this.graphqlFault?.({ query, variables: variables ?? {} });
        if (fault) return fault as nock.ReplyFnResult;
        this.repo.pulls = [...this.pulls.values()].map((pr) => fakePullRequest(pr, this.facts.get(pr.number)));
        const answer = this.memory.execute(query, variables ?? {});
        return [answer.status, answer.body, answer.headers];
      })
      .persist();
    // The one REST read of facts: a page of changed files, for the previous path of a renamed file.
    this.api
      .get(/^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files/)
      .query(true)
      .reply((uri) => {
        this.record('GET')(uri, '');
        return this.memory.answerRest('GET', uri) as nock.ReplyFnResult;
      })
      .persist();
  }

  private record(method: string) {
    return (uri: string, body: unknown) => {
      this.calls.push({ method, path: decodeURIComponent(uri), body: body === '' ? undefined : body });
    };
  }

  /** GET returning `data` (status 200 unless given). */
  get(path: string | RegExp, data: unknown, status = 200, headers: Record<string, string> = {}, times = 1): this {
    this.api
      .get(path)
      .query(true)
      .times(times)
      .reply((uri) => {
        this.record('GET')(uri, '');
        return [status, data as nock.Body, headers];
      });
    return this;
  }

  post(path: string | RegExp, data: unknown, status = 201): this {
    this.api.post(path).reply((uri, body) => {
      this.record('POST')(uri, body);
      return [status, data as nock.Body];
    });
    return this;
  }

  patch(path: string | RegExp, data: unknown, status = 200): this {
    this.api.patch(path).reply((uri, body) => {
      this.record('PATCH')(uri, body);
      return [status, data as nock.Body];
    });
    return this;
  }

  /**
   * `.github/ai-review.yml` on the default branch of acme/widgets (null: none), and of acme/.github (null: none; the
   * repository then does not exist). Read by GraphQL in the facts query (`object(expression: "HEAD:…")`).
   */
  config(repoYaml: string | null, orgYaml: string | null = null): this {
    if (repoYaml !== null) this.file('.github/ai-review.yml', repoYaml);
    if (orgYaml !== null)
      this.memory.repositories.push({ owner: OWNER, name: '.github', files: { '.github/ai-review.yml': orgYaml }, pulls: [] });
    return this;
  }

  /** A file on the default branch of acme/widgets (e.g. CODEOWNERS). */
  file(path: string, text: string): this {
    this.repo.files[path] = text;
    return this;
  }

  /** Team `@acme/<slug>` with `members` (REST "List team members" items). */
  team(slug: string, members: RestAccount[]): this {
    this.memory.organizations[OWNER]![slug] = members.map((m) => m.login);
    return this;
  }

  /** The current state of a pull request (REST shape, e.g. a payload's `pull_request`): served through GraphQL. */
  pullRequest(pr: RestPullRequest): this {
    this.pulls.set(pr.number, pr);
    return this;
  }

  /** Files, commits, reviews (and events) of PR `number`, in REST shapes. */
  pullRequestFacts(number: number, facts: RestFacts): this {
    this.facts.set(number, facts);
    return this;
  }

  /** Existing check runs on `sha` (list), and interceptors for create/update. */
  checkRuns(sha: string, existing: unknown[] = []): this {
    this.get(`/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`, { total_count: existing.length, check_runs: existing });
    return this;
  }

  createCheckRun(id = 555): this {
    return this.post(`/repos/${OWNER}/${REPO}/check-runs`, { id });
  }

  updateCheckRun(id: number, status = 200): this {
    return this.patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`, status === 200 ? { id } : { message: 'Not Found' }, status);
  }

  /** The calls, as `METHOD path` lines without query strings, except the token exchange. */
  routes(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
  }

  /** The text of the `index`-th GraphQL query sent. */
  queryText(index: number): string {
    const query = this.memory.graphqlRequests()[index];
    if (!query) throw new Error(`no GraphQL query #${index}: ${this.routes().join(', ')}`);
    return query.query;
  }

  /** The GraphQL requests, in order: operation name and variables. */
  queries(): RecordedQuery[] {
    return this.memory.graphqlRequests().map((r) => ({ operation: r.operation, variables: r.variables }));
  }

  /**
   * The body of the only call to `METHOD path-prefix`, as `T` (e.g. {@link CheckRunBody}; unchecked: the test's
   * assertions check it).
   */
  body<T = unknown>(method: string, pathPrefix: string): T {
    const found = this.calls.filter((c) => c.method === method && c.path.startsWith(pathPrefix));
    if (found.length !== 1) throw new Error(`expected one ${method} ${pathPrefix}, got ${found.length}: ${this.routes().join(', ')}`);
    return found[0]!.body as T;
  }

  /** Throws if an interceptor was not used, a request matched none, or a GraphQL query was not valid for GitHub's schema. */
  verify(): void {
    if (this.unmatched.length > 0) throw new Error(`unexpected GitHub requests: ${this.unmatched.join(', ')}`);
    if (this.memory.invalid.length > 0) throw new Error(`invalid GraphQL queries: ${JSON.stringify(this.memory.invalid)}`);
    const pending = this.api.pendingMocks().filter((m) => !m.includes('access_tokens') && !m.includes('/graphql') && !/\/files/.test(m));
    if (pending.length > 0) throw new Error(`GitHub calls not made: ${pending.join(', ')}`);
  }

  static cleanup(): void {
    nock.cleanAll();
    nock.emitter.removeAllListeners('no match');
    nock.enableNetConnect();
  }
}

/**
 * A Probot instance running the app with an in-memory queue and no debounce, logging to nowhere (or to `logs`).
 * Its `receive` also runs the queued jobs to the end, so a test sees the delivery's whole effect when it resolves;
 * `queue` and `handlers` are there for tests that drive the queue themselves.
 */
export async function createTestProbot(
  options: { metrics?: MetricsSink | null; logs?: string[]; retryWindowSeconds?: number; drainOnReceive?: boolean; appId?: number } = {},
): Promise<Probot & { queue: SqliteJobQueue; handlers: Record<string, JobHandler>; drain: () => Promise<number> }> {
  const logs = options.logs;
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs?.push(line) });
  const probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log,
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  const queue = new SqliteJobQueue({ file: ':memory:', logger: pino({ level: 'silent' }) });
  let handlers: Record<string, JobHandler> = {};
  await probot.load(
    createApp({
      queue,
      metrics: options.metrics ?? null,
      appSlug: APP_SLUG,
      ...(options.appId ? { appId: options.appId } : {}),
      debounceMs: 0,
      ...(options.retryWindowSeconds !== undefined ? { retryWindowSeconds: options.retryWindowSeconds } : {}),
      onLoad: (loaded) => {
        handlers = loaded.handlers;
      },
    }),
  );
  const drain = () => queue.drain(handlers);
  const receive = probot.receive.bind(probot);
  const extended = Object.assign(probot, { queue, handlers, drain });
  if (options.drainOnReceive !== false) {
    extended.receive = async (event) => {
      await receive(event);
      await drain();
    };
  }
  return extended;
}

/** Files as REST "List pull requests files" returns them. */
export function files(...names: Array<string | { filename: string; previous_filename: string }>): RestFile[] {
  return names.map((n, i) =>
    typeof n === 'string'
      ? { sha: `f${i}`, filename: n, status: 'modified', additions: 1, deletions: 0, changes: 1 }
      : {
          sha: `f${i}`,
          filename: n.filename,
          previous_filename: n.previous_filename,
          status: 'renamed',
          additions: 0,
          deletions: 0,
          changes: 0,
        },
  );
}

/** A commit as REST "List commits on a pull request" returns it. */
export function commit(
  sha: string,
  author: { login: string; id: number; type: string } | null,
  message = 'Change',
  email = 'dev@example.com',
): RestCommit {
  return {
    sha,
    commit: {
      message,
      author: { name: author?.login ?? 'Dev', email, date: '2026-01-01T09:00:00Z' },
      committer: { name: 'GitHub', email: 'noreply@github.com', date: '2026-01-01T09:00:00Z' },
      verification: { verified: false, reason: 'unsigned' },
    },
    author,
    committer: { login: 'web-flow', id: 19864447, type: 'User' },
  };
}

/** A review as REST "List reviews for a pull request" returns it. */
export function reviewItem(
  id: number,
  login: string,
  state: string,
  commitId: string,
  submittedAt = '2026-01-01T10:00:00Z',
  type = 'User',
): RestReview {
  return {
    id,
    user: { login, id: 5000 + id, type },
    state,
    commit_id: commitId,
    submitted_at: submittedAt,
    body: '',
    author_association: 'MEMBER',
  };
}
