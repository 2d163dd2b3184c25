/**
 * Test harness for the Probot app: real webhook payloads from @octokit/webhooks-examples (with an installation
 * added), a Probot instance with retries and throttling off, and a nock-backed GitHub that records every call.
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

/** A deep copy of the first example payload of `name` with `action`, moved to acme/widgets and given an installation. */
export function examplePayload(name: string, action?: string): Record<string, any> {
  const group = examples.find((e) => e.name === name);
  const example = group?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example for ${name}.${action}`);
  const payload = structuredClone(example) as Record<string, any>;
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
    user?: Record<string, unknown>;
    sha?: string;
    ref?: string;
    labels?: string[];
    changedFiles?: number;
    commits?: number;
    body?: string;
    draft?: boolean;
    assignees?: Array<Record<string, unknown>>;
    sender?: Record<string, unknown>;
  } = {},
): Record<string, any> {
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
  body: any;
}

/** A mocked GitHub: register interceptors with `api`, read `calls` afterwards. */
export class GitHubMock {
  readonly calls: RecordedCall[] = [];
  readonly api: nock.Scope;
  unmatched: string[] = [];

  constructor() {
    nock.disableNetConnect();
    this.api = nock(API);
    nock.emitter.on('no match', (req: { method?: string; path?: string }) => {
      this.unmatched.push(`${req.method} ${req.path}`);
    });
    this.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: { checks: 'write', pull_requests: 'write' } })
      .persist();
  }

  private record(method: string) {
    return (uri: string, body: any) => {
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
   * `.github/ai-review.yml` of acme/widgets on the default branch (null: 404), and of acme/.github (null: 404).
   * `times` 2: an invalid file is read a second time as raw text, for line numbers.
   */
  config(repoYaml: string | null, orgYaml: string | null = null, times = 1): this {
    const raw = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };
    this.get(
      `/repos/${OWNER}/${REPO}/contents/.github%2Fai-review.yml`,
      repoYaml ?? { message: 'Not Found' },
      repoYaml === null ? 404 : 200,
      repoYaml === null ? {} : raw,
      times,
    );
    if (repoYaml === null) {
      this.get(
        `/repos/${OWNER}/.github/contents/.github%2Fai-review.yml`,
        orgYaml ?? { message: 'Not Found' },
        orgYaml === null ? 404 : 200,
        orgYaml === null ? {} : raw,
      );
    }
    return this;
  }

  /** Files, commits and reviews of PR `number`. */
  pullRequestFacts(number: number, facts: { files: unknown[]; commits: unknown[]; reviews?: unknown[] }): this {
    this.get(`/repos/${OWNER}/${REPO}/pulls/${number}/files`, facts.files);
    this.get(`/repos/${OWNER}/${REPO}/pulls/${number}/commits`, facts.commits);
    this.get(`/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, facts.reviews ?? []);
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

  updateCheckRun(id: number): this {
    return this.patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`, { id });
  }

  /** The calls, as `METHOD path` lines without query strings, except the token exchange. */
  routes(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
  }

  /** The body of the only call to `METHOD path-prefix`. */
  body(method: string, pathPrefix: string): any {
    const found = this.calls.filter((c) => c.method === method && c.path.startsWith(pathPrefix));
    if (found.length !== 1) throw new Error(`expected one ${method} ${pathPrefix}, got ${found.length}: ${this.routes().join(', ')}`);
    return found[0]!.body;
  }

  /** Throws if an interceptor was not used or a request matched none. */
  verify(): void {
    if (this.unmatched.length > 0) throw new Error(`unexpected GitHub requests: ${this.unmatched.join(', ')}`);
    const pending = this.api.pendingMocks().filter((m) => !m.includes('access_tokens'));
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
  options: { metrics?: MetricsSink | null; logs?: string[]; retryWindowSeconds?: number; drainOnReceive?: boolean } = {},
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
export function files(...names: Array<string | { filename: string; previous_filename: string }>): unknown[] {
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
): unknown {
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
): unknown {
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
