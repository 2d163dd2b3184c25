/**
 * Which GitHub failures a job retries, and when (src/github/retry.ts), on errors as Octokit throws them: each case is a
 * real request to a nock-mocked GitHub answering as GitHub's REST docs describe ("Rate limits for the REST API",
 * "Best practices for using the REST API").
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { fetchWithTimeout } from '../../src/github/request-timeout.js';
import { backoffMs, BASE_BACKOFF_MS, MAX_BACKOFF_MS, transientFailure } from '../../src/github/retry.js';

const API = 'https://api.github.com';
const NOW = new Date('2026-12-02T10:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
/** The middle of the jitter range: backoff without jitter. */
const noJitter = () => 0.5;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The error Octokit throws for `GET /repos/acme/widgets` when GitHub answers `status` with `headers` and `body`. */
async function errorFor(status: number, headers: Record<string, string> = {}, body: unknown = { message: 'x' }): Promise<unknown> {
  nock(API)
    .get('/repos/acme/widgets')
    .reply(status, body as nock.Body, headers);
  return new Octokit({ log: quiet }).rest.repos.get({ owner: 'acme', repo: 'widgets' }).then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

describe('transientFailure', () => {
  it('primary rate limit (403, x-ratelimit-remaining 0): retries at the reset plus 1 s and blocks the installation until then', async () => {
    const error = await errorFor(
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_S + 120) },
      { message: 'API rate limit exceeded' },
    );
    const failure = transientFailure(error, NOW, 1);
    expect(failure).toEqual({
      cause: 'primary_rate_limit',
      retryAt: new Date(NOW.getTime() + 121_000),
      installationBlockedUntil: new Date(NOW.getTime() + 121_000),
      description: "GitHub's API rate limit for this installation is exhausted until 2026-12-02T10:02:01.000Z",
    });
  });

  it('primary rate limit with a reset already past (clock skew): waits at least 1 s', async () => {
    const error = await errorFor(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_S - 30) });
    expect(transientFailure(error, NOW, 1)).toMatchObject({
      cause: 'primary_rate_limit',
      retryAt: new Date(NOW.getTime() + 1000),
    });
  });

  it('secondary rate limit with retry-after: waits that many seconds (at least 1), whatever the attempt', async () => {
    const error = await errorFor(403, { 'retry-after': '30' }, { message: 'You have exceeded a secondary rate limit.' });
    for (const attempt of [1, 7])
      expect(transientFailure(error, NOW, attempt, noJitter)).toEqual({
        cause: 'secondary_rate_limit',
        retryAt: new Date(NOW.getTime() + 30_000),
        description: 'GitHub answered HTTP 403 (secondary rate limit, retry after 30 s)',
      });
    const zero = await errorFor(429, { 'retry-after': '0' });
    expect(transientFailure(zero, NOW, 1)?.retryAt).toEqual(new Date(NOW.getTime() + 1000));
  });

  it('secondary rate limit without retry-after: waits at least a minute, as GitHub asks', async () => {
    const error = await errorFor(403, {}, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' });
    expect(transientFailure(error, NOW, 1, noJitter)).toMatchObject({
      cause: 'secondary_rate_limit',
      retryAt: new Date(NOW.getTime() + 60_000),
      description: 'GitHub answered HTTP 403 (secondary rate limit)',
    });
    const tooMany = await errorFor(429);
    expect(transientFailure(tooMany, NOW, 1, noJitter)?.cause).toBe('secondary_rate_limit');
  });

  it('a 403 that is not a rate limit (a missing permission) is not retried', async () => {
    const error = await errorFor(403, { 'x-ratelimit-remaining': '4999' }, { message: 'Resource not accessible by integration' });
    expect(transientFailure(error, NOW, 1)).toBeNull();
  });

  it.each([400, 401, 404, 422])('HTTP %i is not retried', async (status) => {
    expect(transientFailure(await errorFor(status), NOW, 1)).toBeNull();
  });

  it.each([500, 502, 503, 504])('HTTP %i is a server error, retried with the backoff of its attempt', async (status) => {
    const error = await errorFor(status);
    expect(transientFailure(error, NOW, 1, noJitter)).toEqual({
      cause: 'server_error',
      retryAt: new Date(NOW.getTime() + BASE_BACKOFF_MS),
      description: `GitHub answered HTTP ${status}`,
    });
    expect(transientFailure(error, NOW, 3, noJitter)?.retryAt).toEqual(new Date(NOW.getTime() + 4 * BASE_BACKOFF_MS));
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND'])(
    'a connection error (%s) is retried as a network failure',
    async (code) => {
      nock(API)
        .get('/repos/acme/widgets')
        .replyWithError({ code, message: `connect ${code}` });
      const error = await new Octokit({ log: quiet }).rest.repos.get({ owner: 'acme', repo: 'widgets' }).catch((e: unknown) => e);
      expect(transientFailure(error, NOW, 2, noJitter)).toEqual({
        cause: 'network',
        retryAt: new Date(NOW.getTime() + 2 * BASE_BACKOFF_MS),
        description: `GitHub could not be reached (${code})`,
      });
    },
  );

  it('a request past its deadline (GITHUB_REQUEST_TIMEOUT_MS) is retried as a network failure, not as an HTTP 500', async () => {
    nock(API).get('/repos/acme/widgets').delay(2000).reply(200, {});
    const error = await new Octokit({ log: quiet, request: { fetch: fetchWithTimeout(50) } }).rest.repos
      .get({ owner: 'acme', repo: 'widgets' })
      .catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(500); // how @octokit/request reports it
    expect(transientFailure(error, NOW, 1, noJitter)).toEqual({
      cause: 'network',
      retryAt: new Date(NOW.getTime() + BASE_BACKOFF_MS),
      description: 'GitHub did not answer in time',
    });
  });

  it("a request aborted by its caller's signal is retried as a network failure", async () => {
    nock(API).get('/repos/acme/widgets').delay(2000).reply(200, {});
    const controller = new AbortController();
    const pending = new Octokit({ log: quiet, request: { signal: controller.signal } }).rest.repos
      .get({ owner: 'acme', repo: 'widgets' })
      .catch((e: unknown) => e);
    controller.abort();
    expect(transientFailure(await pending, NOW, 1, noJitter)).toMatchObject({
      cause: 'network',
      description: 'GitHub did not answer in time',
    });
  });

  it('a bug (not an HTTP or network error) is not retried', () => {
    expect(transientFailure(new TypeError("Cannot read properties of undefined (reading 'sha')"), NOW, 1)).toBeNull();
  });
});

describe('backoffMs', () => {
  it('doubles from 1.5 s per attempt and stops at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => backoffMs(attempt, noJitter))).toEqual([
      1500, 3000, 6000, 12_000, 24_000, 48_000, 60_000, 60_000,
    ]);
  });

  it('jitters by ±20%, never past 60 s', () => {
    expect([backoffMs(2, () => 0), backoffMs(2, () => 1)]).toEqual([2400, 3600]);
    expect(backoffMs(10, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(10, () => 0)).toBe(0.8 * MAX_BACKOFF_MS);
  });
});
