/**
 * GraphQL errors the loader cannot read as facts become errors with an HTTP-like status, so the job's retry logic
 * (src/github/retry.ts) and the fail-closed check run treat them as they treat REST errors.
 */
import nock from 'nock';
import { GraphqlFactsError, loadPullRequestFacts } from '../../../src/github/graphql/index.js';
import { transientFailure } from '../../../src/github/retry.js';
import { API } from './fake-github.js';
import { REF, restOctokit } from './helpers.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function answer(body: unknown, headers: Record<string, string> = {}) {
  nock(API)
    .post('/graphql')
    .reply(200, body as nock.Body, headers);
}

describe('GraphQL errors', () => {
  it('RATE_LIMITED: status 403 with the reset header, read by retry.ts as the primary rate limit', async () => {
    answer(
      { data: null, errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 4242.' }] },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
    );
    const error = await loadPullRequestFacts(restOctokit(), REF, 7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphqlFactsError);
    expect((error as GraphqlFactsError).status).toBe(403);
    const failure = transientFailure(error, new Date('2029-12-31T00:00:00Z'), 1);
    expect(failure?.cause).toBe('primary_rate_limit');
    expect(failure?.retryAt.toISOString()).toBe('2030-01-01T00:00:01.000Z');
  });

  it('FORBIDDEN (e.g. team members without the permission): status 403, not retried, no PR text in the message', async () => {
    answer({
      data: { repository: null },
      errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration', path: ['o0', 'o0t0'] }],
    });
    const error = (await loadPullRequestFacts(restOctokit(), REF, 7).catch((e: unknown) => e)) as GraphqlFactsError;
    expect(error.status).toBe(403);
    expect(error.message).toBe('GitHub GraphQL answered FORBIDDEN at o0.o0t0');
    expect(error.request).toEqual({ method: 'POST', url: '/graphql' });
    expect(transientFailure(error, new Date(), 1)).toBeNull();
  });

  it('an error without a type (GitHub’s timeouts): status 502, retried as a server error', async () => {
    answer({ data: null, errors: [{ message: 'Something went wrong while executing your query. This may be the result of a timeout.' }] });
    const error = await loadPullRequestFacts(restOctokit(), REF, 7).catch((e: unknown) => e);
    expect((error as GraphqlFactsError).status).toBe(502);
    expect(transientFailure(error, new Date(), 1)?.cause).toBe('server_error');
  });

  it('an HTTP error is thrown as Octokit threw it', async () => {
    nock(API).post('/graphql').reply(503, { message: 'unavailable' });
    const error = await loadPullRequestFacts(restOctokit(), REF, 7).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(503);
    expect(error).not.toBeInstanceOf(GraphqlFactsError);
  });
});
