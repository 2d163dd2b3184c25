/**
 * Test helpers for the metrics store: one backend per dialect, and payload builders based on the real payload
 * shapes of `@octokit/webhooks-examples`.
 *
 * PostgreSQL: `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`); every call creates a
 * fresh schema with a random name (search_path set through the connection string), dropped by `drop()`. When the
 * server does not answer, `createBackend('postgres')` throws: the tests fail, they never skip.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { DeliveryRecord, EvaluationRecord } from '../../src/metrics/sink.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export const silentLogger = pino({ level: 'silent' });

/** A database for one test file: its URL for `openStore`/`createMetrics`, and a cleanup. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Creates a fresh database: `:memory:` SQLite, or a new PostgreSQL schema. Throws when PostgreSQL is unreachable. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'sqlite') return { url: ':memory:', drop: () => Promise.resolve() };
  const schema = `ai_review_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at TEST_DATABASE_URL (${TEST_DATABASE_URL}) does not answer: ${(err as Error).message}`);
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    url: withSearchPath(TEST_DATABASE_URL, schema),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

// ---- payloads -------------------------------------------------------------------------------------------

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as WebhookDefinition[];

function example(name: string, predicate: (e: Record<string, unknown>) => boolean): Record<string, unknown> {
  const def = definitions.find((d) => d.name === name);
  const found = def?.examples.find(predicate);
  if (!found) throw new Error(`no ${name} example`);
  return structuredClone(found);
}

/** Repository of the test scenarios. */
export const REPO = 'acme/api';

function setRepository(payload: Record<string, unknown>, fullName: string): void {
  const repo = payload.repository as Record<string, unknown>;
  const [owner, name] = fullName.split('/');
  repo.full_name = fullName;
  repo.name = name;
  (repo.owner as Record<string, unknown>).login = owner;
}

function account(login: string, type: 'User' | 'Bot' = 'User'): Record<string, unknown> {
  return { login, id: login.length * 1000 + login.charCodeAt(0), type, site_admin: false };
}

/** Describes the PR state carried by a `pull_request` / `pull_request_review` payload. */
export interface PrShape {
  number: number;
  author: string;
  authorType?: 'User' | 'Bot';
  title?: string;
  body?: string | null;
  draft?: boolean;
  createdAt: string;
  updatedAt?: string;
  headRef?: string;
  headSha: string;
  merged?: boolean;
  mergedAt?: string | null;
  closedAt?: string | null;
  mergeCommitSha?: string | null;
  repository?: string;
}

function applyPr(payload: Record<string, unknown>, s: PrShape): void {
  setRepository(payload, s.repository ?? REPO);
  const pr = payload.pull_request as Record<string, unknown>;
  pr.number = s.number;
  pr.user = account(s.author, s.authorType ?? 'User');
  pr.title = s.title ?? `Change ${s.number}`;
  pr.body = s.body ?? null;
  pr.draft = s.draft ?? false;
  pr.created_at = s.createdAt;
  pr.updated_at = s.updatedAt ?? s.createdAt;
  pr.merged = s.merged ?? false;
  pr.merged_at = s.mergedAt ?? null;
  pr.closed_at = s.closedAt ?? s.mergedAt ?? null;
  pr.state = s.closedAt || s.mergedAt ? 'closed' : 'open';
  pr.merge_commit_sha = s.mergeCommitSha ?? null;
  (pr.head as Record<string, unknown>).ref = s.headRef ?? `branch-${s.number}`;
  (pr.head as Record<string, unknown>).sha = s.headSha;
  if ('number' in payload) payload.number = s.number;
}

let deliverySeq = 0;
/** A fresh delivery id. */
export function deliveryId(): string {
  deliverySeq += 1;
  return `00000000-0000-4000-8000-${String(deliverySeq).padStart(12, '0')}`;
}

/** A `pull_request` delivery built from the example of that action (falls back to `opened`). */
export function pullRequestDelivery(
  action: string,
  s: PrShape,
  extra: {
    sender?: string;
    senderType?: 'User' | 'Bot';
    before?: string;
    after?: string;
    receivedAt?: string;
    id?: string;
    /** `review_requested` / `review_request_removed`: the requested user's login, or a team slug (`team:security`). */
    requested?: string;
  } = {},
): DeliveryRecord {
  const payload = (() => {
    try {
      return example('pull_request', (e) => e.action === action);
    } catch {
      return { ...example('pull_request', (e) => e.action === 'opened'), action };
    }
  })();
  applyPr(payload, s);
  payload.sender = account(extra.sender ?? s.author, extra.senderType ?? s.authorType ?? 'User');
  if (action === 'synchronize') {
    payload.before = extra.before;
    payload.after = extra.after ?? s.headSha;
  }
  if (extra.requested?.startsWith('team:')) {
    const slug = extra.requested.slice('team:'.length);
    delete payload.requested_reviewer;
    payload.requested_team = {
      id: slug.length,
      node_id: 'T_1',
      name: slug,
      slug,
      privacy: 'closed',
      permission: 'pull',
      description: null,
    };
  } else if (extra.requested) payload.requested_reviewer = account(extra.requested);
  return {
    id: extra.id ?? deliveryId(),
    name: 'pull_request',
    payload,
    receivedAt: new Date(extra.receivedAt ?? s.updatedAt ?? s.createdAt),
  };
}

/** A `pull_request_review` delivery built from the real example. */
export function reviewDelivery(
  action: 'submitted' | 'dismissed' | 'edited',
  s: PrShape,
  r: { id: number; reviewer: string; reviewerType?: 'User' | 'Bot'; state: string; submittedAt: string; commitId?: string },
  id?: string,
): DeliveryRecord {
  const payload = example('pull_request_review', (e) => e.action === (action === 'dismissed' ? 'dismissed' : 'submitted'));
  payload.action = action;
  applyPr(payload, s);
  const review = payload.review as Record<string, unknown>;
  review.id = r.id;
  review.user = account(r.reviewer, r.reviewerType ?? 'User');
  review.state = r.state;
  review.submitted_at = r.submittedAt;
  review.commit_id = r.commitId ?? s.headSha;
  payload.sender = account(r.reviewer, r.reviewerType ?? 'User');
  return { id: id ?? deliveryId(), name: 'pull_request_review', payload, receivedAt: new Date(r.submittedAt) };
}

/** A `push` delivery built from the real branch-push example. */
export function pushDelivery(p: {
  branch: string;
  before: string;
  after: string;
  forced?: boolean;
  commits?: Array<{ id: string; message: string; timestamp: string }>;
  at: string;
  repository?: string;
}): DeliveryRecord {
  const payload = example('push', (e) => e.ref === 'refs/heads/master');
  setRepository(payload, p.repository ?? REPO);
  (payload.repository as Record<string, unknown>).default_branch = 'main';
  payload.ref = `refs/heads/${p.branch}`;
  payload.before = p.before;
  payload.after = p.after;
  payload.forced = p.forced ?? false;
  const template = (payload.commits as Array<Record<string, unknown>>)[0] ?? {};
  payload.commits = (p.commits ?? []).map((c) => ({ ...template, id: c.id, message: c.message, timestamp: c.timestamp }));
  payload.head_commit = (payload.commits as unknown[]).at(-1) ?? null;
  return { id: deliveryId(), name: 'push', payload, receivedAt: new Date(p.at) };
}

/** An evaluation record with sensible defaults for an agent PR. */
export function evaluation(
  e: Partial<EvaluationRecord> & Pick<EvaluationRecord, 'pullNumber' | 'headSha' | 'evaluatedAt'>,
): EvaluationRecord {
  return {
    deliveryId: deliveryId(),
    repository: REPO,
    authorship: {
      class: 'agent',
      agent: 'copilot',
      confidence: 'high',
      humanOfRecord: 'alice',
      agentCommitShare: 1,
      agentCommitShas: [],
      reasons: [{ signal: 'pr_author_login', value: 'Copilot', confidence: 'high' }],
    },
    sensitiveGroups: ['ci'],
    changedFiles: 3,
    additions: 40,
    deletions: 2,
    conclusion: 'action_required',
    failingRules: ['security-review'],
    gateSatisfied: false,
    qualifyingApprovals: [],
    requiredReviewers: ['bob', '@acme/security'],
    override: null,
    commits: [],
    durationMs: 42,
    ...e,
  };
}

/** `2026-03-02T10:00:00Z` plus `minutes`, as ISO. */
export function t(minutes: number): string {
  return new Date(Date.parse('2026-03-02T10:00:00Z') + minutes * 60_000).toISOString();
}
