/**
 * The benchmark's webhook deliveries, in the payload shapes of `@octokit/webhooks-examples`, signed with the
 * webhook secret. Each delivery that changes a pull request carries the state GitHub would have after the change;
 * the load generator installs it in the GitHub mock just before sending the delivery, so the app's jobs read the
 * state the delivery announced (or a newer one).
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { pullRequestJson, type Account, type MockPullRequest } from './mock-github.js';

/** The webhook secret of the benchmark's app. */
export const SECRET = 'bench-webhook-secret';
/** The installation every delivery names. */
export const INSTALLATION = 4242;
/** The repository every pull request lives in. */
export const REPO = { owner: 'acme', name: 'widgets' };

/** One signed delivery; `state` is the pull request's state to install in the mock before sending it. */
export interface Delivery {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  name: string;
  body: string;
  /** `X-Hub-Signature-256`. */
  signature: string;
  /** The pull request number the delivery is about (also for a push that merged it). */
  pullNumber: number;
  state?: MockPullRequest;
}

interface Definition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[];

function template(name: string, action: string | null): Record<string, unknown> {
  const def = examples.find((d) => d.name === name);
  const ex = def?.examples.find((e) => (action === null ? e.ref === 'refs/heads/master' : e.action === action)) ?? def?.examples[0];
  if (!ex) throw new Error(`no example for ${name}`);
  return ex;
}

const TEMPLATES = {
  pull_request: template('pull_request', 'opened'),
  review: template('pull_request_review', 'submitted'),
  push: template('push', null),
};

const copilot: Account = { login: 'Copilot', id: 198982749, type: 'Bot' };
const alice: Account = { login: 'alice', id: 11, type: 'User' };
const bob: Account = { login: 'bob', id: 12, type: 'User' };
const reviewBot: Account = { login: 'copilot-pull-request-reviewer[bot]', id: 175728472, type: 'Bot' };

const repository = ((): Record<string, unknown> => {
  const repo = structuredClone(TEMPLATES.pull_request.repository) as Record<string, unknown>;
  repo.name = REPO.name;
  repo.full_name = `${REPO.owner}/${REPO.name}`;
  repo.owner = { ...(repo.owner as Record<string, unknown>), login: REPO.owner };
  repo.default_branch = 'main';
  return repo;
})();

/** `sha256=<hex>` of a body with the benchmark's secret. */
export function sign(body: string): string {
  return `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
}

/**
 * Builds the deliveries of one pull request: keeps its state, changes it like GitHub would and emits one signed
 * delivery per change with a snapshot of the new state.
 */
class PullRequestStory {
  readonly deliveries: Delivery[] = [];
  private readonly pr: MockPullRequest;
  private seq = 0;
  private readonly t0: number;

  constructor(
    private readonly run: string,
    readonly number: number,
  ) {
    this.t0 = Date.parse('2026-03-02T10:00:00Z') + (number % 100_000) * 3_600_000;
    this.pr = {
      owner: REPO.owner,
      repo: REPO.name,
      number,
      version: 0,
      title: `Bench change ${number}`,
      user: copilot,
      headRef: `copilot/bench-${number}`,
      headSha: '',
      state: 'open',
      merged: false,
      labels: [],
      assignees: [alice],
      commits: [],
      reviews: [],
      createdAt: this.at(0),
      updatedAt: this.at(0),
    };
  }

  at(minutes: number): string {
    return new Date(this.t0 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The n-th commit SHA of this pull request (40 hex digits, unique per PR number and n). */
  sha(n: number): string {
    return `${this.number.toString(16).padStart(8, '0')}${n.toString(16).padStart(4, '0')}`.padEnd(40, 'a');
  }

  /** A new commit by `author` becomes the head. */
  commit(n: number, author: Account, minutes: number): void {
    const sha = this.sha(n);
    const message =
      author.type === 'Bot'
        ? `Bench change ${this.number} (${n})\n\nCo-authored-by: alice <alice@example.com>`
        : `Fix review comments (${n})`;
    this.pr.commits.push({ sha, author, message, date: this.at(minutes) });
    this.pr.headSha = sha;
  }

  private emit(name: string, payload: Record<string, unknown>, changed: boolean): void {
    this.seq += 1;
    if (changed) this.pr.version += 1;
    const body = JSON.stringify({ ...payload, repository, installation: { id: INSTALLATION } });
    this.deliveries.push({
      id: `${this.run}-${this.number}-${this.seq}`,
      name,
      body,
      signature: sign(body),
      pullNumber: this.number,
      ...(changed ? { state: structuredClone(this.pr) } : {}),
    });
  }

  private payload(): Record<string, unknown> {
    const p = structuredClone(TEMPLATES.pull_request.pull_request) as Record<string, unknown>;
    const rest = pullRequestJson(this.pr);
    return {
      ...p,
      ...rest,
      head: { ...(p.head as Record<string, unknown>), ...(rest.head as Record<string, unknown>) },
      base: { ...(p.base as Record<string, unknown>), ref: 'main' },
    };
  }

  pullRequestEvent(action: string, sender: Account, minutes: number, extra: Record<string, unknown> = {}): void {
    this.pr.updatedAt = this.at(minutes);
    this.emit('pull_request', { action, number: this.number, pull_request: this.payload(), sender, ...extra }, true);
  }

  review(id: number, user: Account, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED', minutes: number): void {
    this.pr.reviews.push({ id, user, state, commitId: this.pr.headSha, submittedAt: this.at(minutes) });
    this.pr.updatedAt = this.at(minutes);
    const r = structuredClone(TEMPLATES.review.review) as Record<string, unknown>;
    Object.assign(r, { id, user, state: state.toLowerCase(), submitted_at: this.at(minutes), commit_id: this.pr.headSha, body: null });
    this.emit('pull_request_review', { action: 'submitted', review: r, pull_request: this.payload(), sender: user }, true);
  }

  merge(minutes: number): void {
    Object.assign(this.pr, { state: 'closed', merged: true });
    this.pullRequestEvent('closed', alice, minutes);
  }

  /** The merge commit lands on the default branch (a push that needs no evaluation; metrics record it). */
  pushToDefaultBranch(minutes: number): void {
    const push = structuredClone(TEMPLATES.push);
    const template = (push.commits as Array<Record<string, unknown>>)[0] ?? {};
    const commit = {
      ...template,
      id: this.sha(99),
      message: `Bench change ${this.number} (#${this.number})`,
      timestamp: this.at(minutes),
      added: [],
      modified: ['src/server.ts'],
      removed: [],
    };
    const payload = {
      ...push,
      ref: 'refs/heads/main',
      before: this.sha(98),
      after: this.sha(99),
      forced: false,
      commits: [commit],
      head_commit: commit,
      sender: alice,
      pusher: { name: 'alice', email: 'alice@example.com' },
    };
    this.emit('push', payload, false);
  }
}

/**
 * The deliveries of one agent pull request's review loop: opened, review-bot comment, changes requested, agent
 * push, labeled, approval, human push, edited, and unless `merged` is false (8 deliveries, the PR stays open) the
 * merge and the push of the merge to the default branch (10 deliveries).
 */
export function reviewLoop(run: string, number: number, merged = true): Delivery[] {
  const s = new PullRequestStory(run, number);
  s.commit(1, copilot, 0);
  s.pullRequestEvent('opened', copilot, 0);
  s.review(number * 10 + 1, reviewBot, 'COMMENTED', 5);
  s.review(number * 10 + 2, bob, 'CHANGES_REQUESTED', 60);
  s.commit(2, copilot, 90);
  s.pullRequestEvent('synchronize', copilot, 90, { before: s.sha(1), after: s.sha(2) });
  s.pullRequestEvent('labeled', alice, 95, { label: { name: 'ci' } });
  s.review(number * 10 + 3, bob, 'APPROVED', 120);
  s.commit(3, alice, 130);
  s.pullRequestEvent('synchronize', alice, 130, { before: s.sha(2), after: s.sha(3) });
  s.pullRequestEvent('edited', alice, 140, { changes: { title: { from: 'x' } } });
  if (merged) {
    s.merge(150);
    s.pushToDefaultBranch(150);
  }
  return s.deliveries;
}

/** One `opened` delivery of a new agent pull request (it stays open). */
export function openedPullRequest(run: string, number: number): Delivery[] {
  const s = new PullRequestStory(run, number);
  s.commit(1, copilot, 0);
  s.pullRequestEvent('opened', copilot, 0);
  return s.deliveries;
}

/** `count` `synchronize` deliveries of one open agent pull request, each with a new head SHA. */
export function synchronizeBurst(run: string, number: number, count: number): Delivery[] {
  const s = new PullRequestStory(run, number);
  s.commit(0, copilot, 0);
  for (let n = 1; n <= count; n++) {
    s.commit(n, copilot, n);
    s.pullRequestEvent('synchronize', copilot, n, { before: s.sha(n - 1), after: s.sha(n) });
  }
  return s.deliveries;
}

/**
 * Interleaves the deliveries of pull requests `window` at a time, round-robin, as when that many pull requests are
 * active at once: within a window, each pull request's deliveries keep their order.
 */
export function interleave(stories: Delivery[][], window: number): Delivery[] {
  const out: Delivery[] = [];
  for (let i = 0; i < stories.length; i += window) {
    const group = stories.slice(i, i + window);
    const longest = Math.max(...group.map((g) => g.length));
    for (let k = 0; k < longest; k++)
      for (const g of group) {
        const d = g[k];
        if (d) out.push(d);
      }
  }
  return out;
}
