import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { gatePayloads, metricsPayloads } from '../../src/webhooks/payloads.js';
import { PayloadError, parsePayload } from '../../src/github/payloads.js';

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as WebhookDefinition[];

function examples(name: string): Array<Record<string, unknown>> {
  const found = definitions.find((d) => d.name === name)?.examples ?? [];
  expect(found.length).toBeGreaterThan(0);
  return found.map((e) => structuredClone(e));
}

/** The path of the first issue, or `ok`. */
function verdict(schema: z.ZodTypeAny, payload: unknown): string {
  const result = schema.safeParse(payload);
  return result.success ? 'ok' : result.error.issues[0]!.path.join('.');
}

function openedPullRequest(): Record<string, unknown> & {
  pull_request: Record<string, unknown> & { head: Record<string, unknown> };
  repository: Record<string, unknown>;
} {
  const found = examples('pull_request').find((e) => e.action === 'opened' && e.installation);
  return found as ReturnType<typeof openedPullRequest>;
}

describe('webhook payload shapes', () => {
  it.each([
    ['pull_request', gatePayloads.pullRequest],
    ['pull_request_review', gatePayloads.pullRequest],
    ['push', gatePayloads.push],
    ['check_run', gatePayloads.checkRun],
    ['merge_group', gatePayloads.mergeGroup],
    ['issue_comment', gatePayloads.issueComment],
  ])('the webhook path accepts every %s example that names an installation', (name, schema) => {
    const withInstallation = examples(name).filter((e) => e.installation);
    expect(withInstallation.length).toBeGreaterThan(0);
    expect(withInstallation.map((e) => verdict(schema, e))).toEqual(withInstallation.map(() => 'ok'));
  });

  it.each([
    ['pull_request', metricsPayloads.pullRequest],
    ['pull_request_review', metricsPayloads.review],
    ['push', metricsPayloads.push],
  ])('metrics accept every %s example, with or without an installation', (name, schema) => {
    const all = examples(name);
    expect(all.map((e) => verdict(schema, e))).toEqual(all.map(() => 'ok'));
  });

  it('the webhook path does not check what only metrics read, and metrics do not check what only the webhook path reads', () => {
    const forGate = openedPullRequest();
    forGate.pull_request.created_at = 'not a date';
    Reflect.deleteProperty(forGate.repository, 'full_name');
    expect(verdict(gatePayloads.pullRequest, forGate)).toBe('ok');
    expect(verdict(metricsPayloads.pullRequest, forGate)).toBe('pull_request.created_at');

    const forMetrics = openedPullRequest();
    Reflect.deleteProperty(forMetrics, 'installation');
    Reflect.deleteProperty(forMetrics.repository, 'owner');
    expect(verdict(metricsPayloads.pullRequest, forMetrics)).toBe('ok');
    expect(verdict(gatePayloads.pullRequest, forMetrics)).toBe('repository.owner');
  });

  it('a field both read has one bound; the webhook path alone also needs a head SHA of 7 characters or more', () => {
    const long = openedPullRequest();
    long.pull_request.head.sha = 'a'.repeat(65);
    expect(verdict(gatePayloads.pullRequest, long)).toBe('pull_request.head.sha');
    expect(verdict(metricsPayloads.pullRequest, long)).toBe('pull_request.head.sha');

    const short = openedPullRequest();
    short.pull_request.head.sha = 'abc';
    expect(verdict(gatePayloads.pullRequest, short)).toBe('pull_request.head.sha');
    expect(verdict(metricsPayloads.pullRequest, short)).toBe('ok');
  });

  it('the webhook path needs a PR author key (null allowed) and a non-null sender; metrics take either missing', () => {
    const noAuthor = openedPullRequest();
    Reflect.deleteProperty(noAuthor.pull_request, 'user');
    expect(verdict(gatePayloads.pullRequest, noAuthor)).toBe('pull_request.user');
    expect(verdict(metricsPayloads.pullRequest, noAuthor)).toBe('ok');

    const ghost = openedPullRequest();
    ghost.pull_request.user = null;
    ghost.sender = null;
    expect(verdict(gatePayloads.pullRequest, ghost)).toBe('sender');
    expect(verdict(metricsPayloads.pullRequest, ghost)).toBe('ok');
  });

  it('metrics read review states lower-cased and dates as ISO 8601, and only the review actions they know', () => {
    const review = examples('pull_request_review').find((e) => e.action === 'submitted')!;
    (review.review as Record<string, unknown>).state = 'CHANGES_REQUESTED';
    (review.review as Record<string, unknown>).submitted_at = '2026-01-02T03:04:05+02:00';
    const parsed = metricsPayloads.review.parse(review);
    expect(parsed.review.state).toBe('changes_requested');
    expect(parsed.review.submitted_at).toBe('2026-01-02T01:04:05.000Z');
    expect(verdict(metricsPayloads.review, { ...review, action: 'requested' })).toBe('action');
  });

  it('parsePayload throws a PayloadError (HTTP 400) naming the event and the first failing field', () => {
    const payload = openedPullRequest();
    Reflect.deleteProperty(payload, 'installation');
    let thrown: unknown;
    try {
      parsePayload(gatePayloads.pullRequest, payload, 'pull_request');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadError);
    expect(thrown).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^pull_request payload rejected: installation: /),
    });
  });
});
