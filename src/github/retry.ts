/**
 * Which GitHub API failures are transient, and when to try again: a pure function of the error, the time and
 * the attempt number. Sources: GitHub REST docs, "Rate limits for the REST API" (primary limits: status 403 or
 * 429 with `x-ratelimit-remaining: 0`, wait until `x-ratelimit-reset`; secondary limits: wait `retry-after`
 * seconds, or at least one minute when it is absent) and "Best practices for using the REST API" (retry 5xx with
 * exponential backoff).
 */

/** Why a job is retried (a label of `ai_review_job_retries_total`). */
export type TransientCause = 'secondary_rate_limit' | 'primary_rate_limit' | 'server_error' | 'network';

/** A transient failure and when to run the job again. */
export interface TransientFailure {
  cause: TransientCause;
  /** When to try again. */
  retryAt: Date;
  /** Set for an exhausted primary rate limit: the installation's requests wait until then. */
  installationBlockedUntil?: Date;
  /** One line for the check run and logs, e.g. `GitHub answered HTTP 503`. */
  description: string;
}

/** First backoff step (ms); doubled per attempt up to {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 1500;
/** Longest wait between retries that GitHub did not time itself, in ms. */
export const MAX_BACKOFF_MS = 60_000;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The error and its `cause`s, up to 4 deep (Octokit wraps fetch's error, which wraps undici's). */
function* causeChain(error: unknown): Generator<{ code?: unknown; name?: unknown }> {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** The first string `code` (`ECONNRESET`, …) in the error's cause chain. */
function errorCode(error: unknown): string | undefined {
  for (const e of causeChain(error)) if (typeof e.code === 'string') return e.code;
  return undefined;
}

/**
 * Whether the request was given up for want of an answer: a `TimeoutError` (the deadline of
 * src/github/request-timeout.ts) or an `AbortError` anywhere in the error's `cause` chain.
 */
function timedOut(error: unknown): boolean {
  for (const e of causeChain(error)) if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  return false;
}

/**
 * Backoff for attempt `attempt` (1 = first retry): 1.5 s, 3 s, 6 s, … capped at 60 s, with ±20% jitter from
 * `random` (0..1). Output in ms.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(MAX_BACKOFF_MS, base * (0.8 + 0.4 * random())));
}

/**
 * Classifies `error` (an Octokit RequestError or a network error). Output: the transient failure with its retry
 * time, or null when retrying would not help (404, 422, 401, a bug…). `attempt`: how many times the work failed
 * so far, including this one (1 on the first failure).
 */
export function transientFailure(error: unknown, now: Date, attempt: number, random: () => number = Math.random): TransientFailure | null {
  const e = error as {
    status?: unknown;
    response?: { headers?: Record<string, unknown>; data?: unknown };
    message?: unknown;
    name?: unknown;
  };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const headers = e?.response?.headers;
  const message = typeof e?.message === 'string' ? e.message : '';
  const after = (ms: number) => new Date(now.getTime() + ms);
  if (status === 403 || status === 429) {
    const retryAfter = Number(header(headers, 'retry-after'));
    const remaining = header(headers, 'x-ratelimit-remaining');
    const reset = Number(header(headers, 'x-ratelimit-reset'));
    if (remaining === '0' && Number.isFinite(reset) && reset > 0) {
      // Primary limit: the whole installation waits for the reset (plus a second for clock skew).
      const until = new Date(Math.max(reset * 1000 + 1000, now.getTime() + 1000));
      return {
        cause: 'primary_rate_limit',
        retryAt: until,
        installationBlockedUntil: until,
        description: `GitHub's API rate limit for this installation is exhausted until ${until.toISOString()}`,
      };
    }
    if (Number.isFinite(retryAfter) && retryAfter >= 0 && header(headers, 'retry-after') !== undefined) {
      return {
        cause: 'secondary_rate_limit',
        retryAt: after(Math.max(1000, retryAfter * 1000)),
        description: `GitHub answered HTTP ${status} (secondary rate limit, retry after ${retryAfter} s)`,
      };
    }
    if (/secondary rate limit|abuse/i.test(message) || status === 429) {
      return {
        cause: 'secondary_rate_limit',
        retryAt: after(Math.max(60_000, backoffMs(attempt, random))),
        description: `GitHub answered HTTP ${status} (secondary rate limit)`,
      };
    }
    return null;
  }
  if (timedOut(error)) {
    // @octokit/request reports it as status 500 with the TimeoutError as its cause: GitHub answered nothing.
    return { cause: 'network', retryAt: after(backoffMs(attempt, random)), description: 'GitHub did not answer in time' };
  }
  if (status !== undefined && status >= 500 && status <= 599) {
    // @octokit/request reports a failed fetch as status 500 with the network error as its cause.
    const code = errorCode(error);
    const cause = code && NETWORK_CODES.has(code) ? 'network' : 'server_error';
    return {
      cause,
      retryAt: after(backoffMs(attempt, random)),
      description: cause === 'network' ? `GitHub could not be reached (${code})` : `GitHub answered HTTP ${status}`,
    };
  }
  const code = errorCode(error);
  if ((code && NETWORK_CODES.has(code)) || /fetch failed|timed? ?out|socket hang up/i.test(message)) {
    return {
      cause: 'network',
      retryAt: after(backoffMs(attempt, random)),
      description: `GitHub could not be reached${code ? ` (${code})` : ''}`,
    };
  }
  return null;
}
