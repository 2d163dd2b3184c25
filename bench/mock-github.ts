/**
 * A local, stateful GitHub REST API for the benchmark. It answers every call the app's jobs make (base URL
 * `/api/v3`, as for GitHub Enterprise Server) from the pull requests the load generator installs before sending
 * each delivery (GitHub changes a pull request, then sends the webhook), and it stores the `ai-review` check runs
 * the app creates and updates, per head SHA, with every write. An optional fixed latency per response
 * (`latencyMs`) approximates a real API round trip; 0 is the worst case for the share of the app's own work.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

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
  /** `GET /pulls/{n}` calls (job runs), with the version each read. */
  reads: number[];
  /** `GET /pulls/{n}/files` calls: evaluations that gathered the facts. */
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
  stop(): Promise<void>;
}

type Answer = { status: number; body: unknown };

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
    body: 'Copilot coding agent tips: https://gh.io/copilot-coding-agent-tips',
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

function commitJson(c: MockCommit): Record<string, unknown> {
  const identity =
    c.author.type === 'Bot'
      ? { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com', date: c.date }
      : { name: c.author.login, email: `${c.author.login}@example.com`, date: c.date };
  return { sha: c.sha, commit: { message: c.message, author: identity, committer: identity }, author: c.author, committer: c.author };
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

  const routes: Array<[string, RegExp, (m: string[], body: unknown) => Answer]> = [
    [
      'POST',
      /^\/app\/installations\/\d+\/access_tokens$/,
      () => ({ status: 201, body: { token: 'ghs_bench', expires_at: '2099-01-01T00:00:00Z', permissions: {} } }),
    ],
    ['GET', /^\/app$/, () => ({ status: 200, body: { id: options.appId, slug: 'ai-review' } })],
    // No `.github/ai-review.yml` anywhere: the built-in rules apply.
    ['GET', /^\/repos\/[^/]+\/[^/]+\/contents\/.+$/, () => ({ status: 404, body: { message: 'Not Found' } })],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      ([, o, r, n]) => {
        const pr = pulls.get(prKey(o!, r!, n!));
        if (!pr) return { status: 404, body: { message: 'Not Found' } };
        observe(prKey(o!, r!, n!)).reads.push(pr.version);
        return { status: 200, body: pullRequestJson(pr) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/,
      ([, o, r, n]) => {
        observe(prKey(o!, r!, n!)).evaluations += 1;
        return {
          status: 200,
          body: [
            { filename: 'src/server.ts', status: 'modified', additions: 10, deletions: 2, changes: 12 },
            { filename: '.github/workflows/ci.yml', status: 'modified', additions: 1, deletions: 1, changes: 2 },
          ],
        };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/commits$/,
      ([, o, r, n]) => ({ status: 200, body: (pulls.get(prKey(o!, r!, n!))?.commits ?? []).map(commitJson) }),
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/,
      ([, o, r, n]) => ({
        status: 200,
        body: (pulls.get(prKey(o!, r!, n!))?.reviews ?? []).map((rv) => ({
          id: rv.id,
          user: rv.user,
          state: rv.state,
          commit_id: rv.commitId,
          submitted_at: rv.submittedAt,
          body: null,
        })),
      }),
    ],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/timeline$/, () => ({ status: 200, body: [] })],
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
    ['GET', /^\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+\/permission$/, () => ({ status: 200, body: { permission: 'write' } })],
    ['GET', /^\/orgs\/[^/]+\/teams\/[^/]+\/members$/, () => ({ status: 200, body: [] })],
  ];

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      count += 1;
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/api\/v3/, ''));
      let answer: Answer = { status: 404, body: { message: 'Not Found' } };
      for (const [method, pattern, handler] of routes) {
        const m = method === req.method ? pattern.exec(path) : null;
        if (m) {
          answer = handler([...m], body);
          break;
        }
      }
      const send = (): void => {
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
