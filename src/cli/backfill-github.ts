/**
 * GitHub access for `ai-review backfill`: Octokit clients with a personal token or the app's credentials
 * (`@octokit/auth-app`: JWT for the app, installation tokens per installation), a per-request timeout so a
 * server that never answers cannot hang the run, throttling and retries, the repositories a run covers
 * (`owner/name` arguments, an organization, installations), and one-line descriptions of API errors.
 */
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { createAppAuth } from '@octokit/auth-app';
import { throttling } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import { CliError, UsageError } from './errors.js';

/** Octokit with throttling (waits on rate limits) and retries (5xx, timeouts), as the backfill uses it. */
export const BackfillOctokitClass = Octokit.plugin(throttling, retry);
/** An instance of {@link BackfillOctokitClass}. */
export type BackfillOctokit = InstanceType<typeof BackfillOctokitClass>;

/** REST base URL from the environment: `GITHUB_API_URL`, else `GHE_HOST`/`GHE_PROTOCOL`, else api.github.com. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/+$/, '');
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3`;
  return 'https://api.github.com';
}

/** Client options: per-request timeout (ms, default 30,000) and retries after a failed attempt (default 2). */
export interface ClientOptions {
  timeoutMs?: number;
  retries?: number;
}

/**
 * A `fetch` that gives up on a request after `timeoutMs` (connecting, waiting and reading the body), with an
 * error naming the request. @octokit/request turns it into a RequestError with status 500, which the retry
 * plugin retries like a 5xx.
 */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted) {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        throw new Error(`no answer from ${url.replace(/\?.*$/, '')} within ${Math.round(timeoutMs / 100) / 10}s`, { cause: err });
      }
      throw err;
    }
  };
}

function clientDefaults(baseUrl: string, log: (line: string) => void, options: ClientOptions) {
  return {
    baseUrl,
    userAgent: 'ai-review-backfill',
    request: { fetch: fetchWithTimeout(options.timeoutMs ?? 30_000) },
    retry: { retries: options.retries ?? 2 },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    throttle: {
      onRateLimit: (retryAfter: number, o: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`rate limited on ${o.method} ${o.url}; retrying in ${retryAfter}s`);
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter: number, o: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`secondary rate limit on ${o.method} ${o.url}; retrying in ${retryAfter}s`);
        return retryCount < 3;
      },
    },
  };
}

/** Creates a client authenticated with a token (`GITHUB_TOKEN`). */
export function createOctokit(token: string, baseUrl: string, log: (line: string) => void, options: ClientOptions = {}): BackfillOctokit {
  return new BackfillOctokitClass({ auth: token, ...clientDefaults(baseUrl, log, options) });
}

/** The app's credentials: `APP_ID` and the private key (PEM). */
export interface AppCredentials {
  appId: string;
  privateKey: string;
}

/**
 * Reads the app's credentials from `APP_ID` and `PRIVATE_KEY` (PEM; `\n` escapes allowed, as Probot accepts)
 * or `PRIVATE_KEY_PATH`. Returns null when `APP_ID` is unset. Throws `UsageError` when the key is missing or
 * unreadable (the key's content is never printed).
 */
export function appCredentialsFromEnv(env: NodeJS.ProcessEnv): AppCredentials | null {
  const appId = env.APP_ID?.trim();
  if (!appId) return null;
  let privateKey = env.PRIVATE_KEY;
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  if (!privateKey) throw new UsageError('APP_ID is set: set PRIVATE_KEY or PRIVATE_KEY_PATH too (the app’s private key)');
  privateKey = privateKey.replace(/\\n/g, '\n');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) throw new UsageError('the app’s private key is not a PEM private key');
  return { appId, privateKey };
}

/** Creates a client that authenticates as the app (JWT), or as one of its installations when `installationId` is set. */
export function createAppOctokit(
  credentials: AppCredentials,
  baseUrl: string,
  log: (line: string) => void,
  options: ClientOptions & { installationId?: number } = {},
): BackfillOctokit {
  return new BackfillOctokitClass({
    authStrategy: createAppAuth,
    auth: {
      appId: credentials.appId,
      privateKey: credentials.privateKey,
      ...(options.installationId !== undefined ? { installationId: options.installationId } : {}),
    },
    ...clientDefaults(baseUrl, log, options),
  });
}

/** A repository to backfill, with the client that can read it. */
export interface Target {
  repository: string;
  octokit: BackfillOctokit;
}

/** What to backfill: `owner/name` arguments, an organization, installations (all when `installations` is `all`). */
export interface TargetSpec {
  repositories: string[];
  org?: string;
  installations?: number[] | 'all';
}

/** How the run authenticates: a token, or the app's credentials. */
export type Credentials = { kind: 'token'; token: string } | { kind: 'app'; app: AppCredentials };

/**
 * Resolves the repositories a run covers and the client for each. With a token: the arguments, and the
 * organization's repositories (`GET /orgs/{org}/repos`). With the app's credentials: every repository of the
 * chosen installations (`GET /installation/repositories`), the organization's installation
 * (`GET /orgs/{org}/installation`), and each argument's installation (`GET /repos/{owner}/{repo}/installation`).
 * Archived repositories are included (their past PRs are part of the baseline). Throws on API errors.
 */
export async function resolveTargets(
  spec: TargetSpec,
  credentials: Credentials,
  baseUrl: string,
  log: (line: string) => void,
  options: ClientOptions = {},
): Promise<Target[]> {
  const targets = new Map<string, Target>();
  const add = (repository: string, octokit: BackfillOctokit): void => {
    const key = repository.toLowerCase();
    if (!targets.has(key)) targets.set(key, { repository, octokit });
  };
  if (credentials.kind === 'token') {
    if (spec.installations !== undefined)
      throw new UsageError('--installation needs the app’s credentials: set APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH, not GITHUB_TOKEN');
    const octokit = createOctokit(credentials.token, baseUrl, log, options);
    for (const r of spec.repositories) add(r, octokit);
    if (spec.org) {
      const repos = await octokit.paginate(octokit.rest.repos.listForOrg, { org: spec.org, type: 'all', per_page: 100 });
      for (const r of repos) add(r.full_name, octokit);
    }
    return [...targets.values()];
  }
  const app = createAppOctokit(credentials.app, baseUrl, log, options);
  const clients = new Map<number, BackfillOctokit>();
  const installationClient = (id: number): BackfillOctokit => {
    let c = clients.get(id);
    if (!c) {
      c = createAppOctokit(credentials.app, baseUrl, log, { ...options, installationId: id });
      clients.set(id, c);
    }
    return c;
  };
  const addInstallation = async (id: number): Promise<void> => {
    const octokit = installationClient(id);
    const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const r of repos) add(r.full_name, octokit);
  };
  let installationIds: number[] = [];
  if (spec.installations === 'all') {
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    installationIds = installations.map((i) => i.id);
    if (installationIds.length === 0) throw new CliError('the app has no installation');
  } else if (spec.installations) installationIds = spec.installations;
  for (const id of installationIds) await addInstallation(id);
  if (spec.org) {
    const { data } = await app.rest.apps.getOrgInstallation({ org: spec.org });
    await addInstallation(data.id);
  }
  for (const r of spec.repositories) {
    const [owner, repo] = r.split('/') as [string, string];
    const { data } = await app.rest.apps.getRepoInstallation({ owner, repo });
    add(r, installationClient(data.id));
  }
  return [...targets.values()];
}

/** True when an error means GitHub could not be reached or did not answer (no HTTP status from the server). */
export function isUnreachable(error: unknown): boolean {
  const e = error as { status?: number; response?: unknown; message?: string };
  return e?.status === 500 && e.response === undefined;
}

/** One line for an API error: the status and GitHub's message, or why the server could not be reached. */
export function describeApiError(error: unknown, baseUrl: string): string {
  const e = error as { status?: number; message?: string; response?: { data?: { message?: unknown } } };
  const message = (e?.message ?? String(error)).replace(/\s+/g, ' ').trim();
  if (isUnreachable(error)) return `cannot reach the GitHub API at ${baseUrl}: ${message}`;
  if (e?.status === 401) return `GitHub rejected the credentials (HTTP 401): ${message}`;
  if (typeof e?.status === 'number') return `GitHub answered HTTP ${e.status}: ${message}`;
  return message;
}
