/**
 * The smallest Octokit the fact loader needs, and the executor that sends its queries: counts GraphQL queries, REST
 * requests and points, turns GitHub's partial-data errors into data where a missing object is a fact (no `.github`
 * repository, no such team), and other GraphQL errors into errors with an HTTP-like `status` so the caller's retry
 * and fail-closed logic (src/github/retry.ts) treats them as it treats REST errors.
 */

/**
 * What the loader calls: `graphql` (@octokit/graphql: resolves to `data`, throws `GraphqlResponseError` when the
 * response has `errors`) and `request` (@octokit/request) for the few REST reads GraphQL cannot do. Probot's
 * `context.octokit` and `new Octokit()` from @octokit/rest both satisfy it.
 */
export interface FactsOctokit {
  graphql<T>(query: string, parameters?: Record<string, unknown>): Promise<T>;
  request(route: string, parameters?: Record<string, unknown>): Promise<{ data: unknown; headers: Record<string, unknown> }>;
}

/**
 * What one loader call cost, for the caller's metrics (`ai_review_github_requests_total{api,kind}`, points, quota).
 * Every request the loader makes is a read.
 */
export interface ApiUsage {
  /** GraphQL queries sent (each is one HTTP request to `/graphql`). */
  graphqlQueries: number;
  /** REST requests sent (reads of a page of changed files for renames, of a truncated file). */
  restRequests: number;
  /** GraphQL points spent, as GitHub reported them (`rateLimit { cost }`), summed over the queries. */
  cost: number;
  /** GraphQL points left in the installation's window after the last query (`rateLimit.remaining`); null: unknown. */
  remaining: number | null;
  /** When the GraphQL window resets (ISO 8601, `rateLimit.resetAt`); null: unknown. */
  resetAt: string | null;
  /** REST requests left after the last REST request (`x-ratelimit-remaining`); null: no REST request or no header. */
  restRemaining: number | null;
}

/** Usage of a call that sent nothing. */
export function emptyUsage(): ApiUsage {
  return { graphqlQueries: 0, restRequests: 0, cost: 0, remaining: null, resetAt: null, restRemaining: null };
}

/** Sums two usages; the quota figures are the later one's when it has them. */
export function addUsage(a: ApiUsage, b: ApiUsage): ApiUsage {
  return {
    graphqlQueries: a.graphqlQueries + b.graphqlQueries,
    restRequests: a.restRequests + b.restRequests,
    cost: a.cost + b.cost,
    remaining: b.remaining ?? a.remaining,
    resetAt: b.resetAt ?? a.resetAt,
    restRemaining: b.restRemaining ?? a.restRemaining,
  };
}

/** One error of a GraphQL response (GitHub adds `type`, e.g. `NOT_FOUND`, `FORBIDDEN`, `RATE_LIMITED`). */
export interface GraphqlError {
  type?: string;
  message: string;
  path?: ReadonlyArray<string | number>;
}

/**
 * A GraphQL response GitHub answered with errors the loader cannot read as facts. `status` is what the REST API
 * would have answered (FORBIDDEN 403, NOT_FOUND 404, RATE_LIMITED 403 with `x-ratelimit-remaining: 0` in
 * `response.headers`, anything else 502: GitHub's GraphQL timeouts and internal errors have no type), and `request`
 * names the endpoint, so src/github/retry.ts and the check run's error text treat it like a REST error. The message
 * lists error types and paths only (never PR content).
 */
export class GraphqlFactsError extends Error {
  readonly status: number;
  readonly request = { method: 'POST', url: '/graphql' };
  readonly response: { headers: Record<string, unknown> };
  readonly errors: GraphqlError[];

  constructor(errors: GraphqlError[], headers: Record<string, unknown>) {
    const types = [...new Set(errors.map((e) => e.type ?? 'ERROR'))];
    super(`GitHub GraphQL answered ${types.join(', ')} at ${errors.map((e) => (e.path ?? []).join('.') || '(query)').join(', ')}`);
    this.name = 'GraphqlFactsError';
    this.errors = errors;
    if (types.includes('RATE_LIMITED')) {
      this.status = 403;
      this.response = { headers: { 'x-ratelimit-remaining': '0', ...headers } };
    } else {
      this.status = types.includes('FORBIDDEN') ? 403 : types.every((t) => t === 'NOT_FOUND') ? 404 : 502;
      this.response = { headers };
    }
  }
}

/**
 * Sends one query. Errors of type NOT_FOUND whose path starts with one of `missingOk` (aliases whose absence is a
 * fact) leave those fields null and the rest of `data` is returned; any other error throws {@link GraphqlFactsError}.
 * Transport errors (HTTP status, network) are thrown as Octokit threw them. Adds the query and its reported cost to
 * `usage`.
 */
export async function runQuery<T extends { rateLimit?: RateLimitData | null }>(
  octokit: FactsOctokit,
  query: string,
  variables: Record<string, unknown>,
  usage: ApiUsage,
  missingOk: readonly string[],
): Promise<T> {
  usage.graphqlQueries += 1;
  let data: T;
  try {
    data = await octokit.graphql<T>(query, variables);
  } catch (error) {
    const e = error as { name?: string; errors?: GraphqlError[]; data?: T | null; headers?: Record<string, unknown> };
    if (e.name !== 'GraphqlResponseError' || !Array.isArray(e.errors)) throw error;
    const unexpected = e.errors.filter((err) => !(err.type === 'NOT_FOUND' && missingOk.includes(String(err.path?.[0]))));
    if (unexpected.length > 0 || !e.data) throw new GraphqlFactsError(unexpected.length > 0 ? unexpected : e.errors, e.headers ?? {});
    data = e.data;
  }
  recordRateLimit(usage, data.rateLimit);
  return data;
}

/** `rateLimit { cost remaining resetAt }` of a response (null on GitHub Enterprise Server with rate limiting off). */
export interface RateLimitData {
  cost: number;
  remaining: number;
  resetAt: string;
}

function recordRateLimit(usage: ApiUsage, rateLimit: RateLimitData | null | undefined): void {
  if (!rateLimit) return;
  usage.cost += rateLimit.cost;
  usage.remaining = rateLimit.remaining;
  usage.resetAt = rateLimit.resetAt;
}

/** Sends one REST GET and records it in `usage` (with the `x-ratelimit-remaining` header when present). */
export async function restGet(
  octokit: FactsOctokit,
  route: string,
  parameters: Record<string, unknown>,
  usage: ApiUsage,
): Promise<unknown> {
  usage.restRequests += 1;
  const response = await octokit.request(`GET ${route}`, parameters);
  const remaining = Number(response.headers['x-ratelimit-remaining']);
  if (response.headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) usage.restRemaining = remaining;
  return response.data;
}
