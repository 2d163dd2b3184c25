/**
 * The setup flow of `npm start` without `APP_ID`: registers ai-review as a GitHub App from `app.yml` with GitHub's
 * manifest flow, writes its credentials to `.env`, and hands them to the caller so the app starts at once.
 *
 * It replaces Probot's setup flow, whose manifest registers the webhook URL `<base URL>/` while the app receives
 * webhooks at `/api/github/webhooks` only: an app registered that way gets 404 on every delivery. Here the manifest's
 * `hook_attributes.url` is the webhook path the server serves (or `WEBHOOK_PROXY_URL`, a smee.io channel that
 * forwards to it).
 *
 * Routes (GET): `/` redirects to `/probot`, `/probot` shows the form that posts the manifest to GitHub, and
 * `/probot/setup?code=…&state=…` is GitHub's redirect after the app was created: the code is exchanged for the app's
 * id, slug, private key and webhook secret (`POST /app-manifests/{code}/conversions`).
 * Source: https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { describeRequest, type Handler } from './server.js';
import { withoutQuery } from '../logging.js';

/** The manifest GitHub's "register an app from a manifest" form takes (the fields ai-review sets). */
export interface AppManifest {
  name?: string;
  url: string;
  description?: string;
  public?: boolean;
  hook_attributes: { url: string; active?: boolean };
  redirect_url: string;
  default_events?: string[];
  default_permissions?: Record<string, string>;
  [field: string]: unknown;
}

/** What the conversion returns and the app needs (written to `.env` under these names). */
export interface RegisteredApp {
  APP_ID: string;
  APP_SLUG: string;
  PRIVATE_KEY: string;
  WEBHOOK_SECRET: string;
}

/**
 * The manifest for this server. Input: `app.yml` parsed (name, description, url, public, default_events,
 * default_permissions, ...), the base URL the browser reached the server at, the webhook path the server serves,
 * and `WEBHOOK_PROXY_URL` if set. Output: the manifest with `hook_attributes.url` = the proxy URL, or base URL +
 * webhook path; an explicit `hook_attributes.url` in app.yml is kept. `redirect_url` = base URL + `/probot/setup`.
 */
export function buildManifest(input: {
  appYml: Record<string, unknown>;
  baseUrl: string;
  webhookPath: string;
  webhookProxyUrl?: string;
}): AppManifest {
  const fromFile = input.appYml;
  const hook = (fromFile.hook_attributes ?? {}) as { url?: unknown; active?: boolean };
  const webhookUrl =
    typeof hook.url === 'string' && hook.url !== '' ? hook.url : (input.webhookProxyUrl ?? `${input.baseUrl}${input.webhookPath}`);
  return {
    ...fromFile,
    name: typeof fromFile.name === 'string' ? fromFile.name : 'ai-review',
    url: typeof fromFile.url === 'string' ? fromFile.url : input.baseUrl,
    public: fromFile.public === true,
    hook_attributes: { ...hook, url: webhookUrl, active: hook.active ?? true },
    redirect_url: `${input.baseUrl}/probot/setup`,
  };
}

/** The page on GitHub that creates an app from a manifest: for the organization `GH_ORG` if set, else the user. */
export function createAppUrl(env: NodeJS.ProcessEnv, state: string): string {
  const host = env.GHE_HOST || 'github.com';
  const protocol = env.GHE_PROTOCOL || 'https';
  const owner = env.GH_ORG ? `/organizations/${encodeURIComponent(env.GH_ORG)}` : '';
  return `${protocol}://${host}${owner}/settings/apps/new?state=${state}`;
}

/** The REST API base URL: `GHE_PROTOCOL://GHE_HOST/api/v3` for GitHub Enterprise Server, else api.github.com. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}/api/v3` : 'https://api.github.com';
}

/** The base URL the browser used: `X-Forwarded-Proto`/`X-Forwarded-Host` (behind a proxy) or `Host`. */
export function baseUrlOf(req: IncomingMessage): string {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const protocol = first(req.headers['x-forwarded-proto']) ?? (encrypted ? 'https' : 'http');
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  return `${protocol === 'https' ? 'https' : 'http'}://${host}`;
}

export interface SetupOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The path webhooks are served at once the app is registered. */
  webhookPath: string;
  /** app.yml's text (read at start-up). */
  appYml: string;
  /** Called with the new credentials after the conversion; persists them (`.env`) and starts the app. */
  onRegistered: (app: RegisteredApp) => Promise<void>;
  /** Timeout of the conversion request (ms), default 10 000. */
  timeoutMs?: number;
}

/** The setup flow's request handler. */
export function createSetupHandler(options: SetupOptions): Handler {
  const appYml = (parseYaml(options.appYml) ?? {}) as Record<string, unknown>;
  // GitHub sends `state` back on the redirect: a code arriving without it did not come from our form.
  const state = randomBytes(16).toString('hex');
  let registered = false;
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    const path = withoutQuery(req.url ?? '');
    if (path === '/') {
      res.writeHead(302, { location: '/probot', 'content-type': 'text/plain' }).end('Found. Redirecting to /probot');
      return true;
    }
    if (path === '/probot') {
      const manifest = buildManifest({
        appYml,
        baseUrl: baseUrlOf(req),
        webhookPath: options.webhookPath,
        webhookProxyUrl: options.env.WEBHOOK_PROXY_URL || undefined,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(setupPage(manifest, createAppUrl(options.env, state)));
      return true;
    }
    if (path === '/probot/setup') {
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const code = query.get('code') ?? '';
      if (!/^[\w-]{1,100}$/.test(code) || query.get('state') !== state) {
        describeRequest(res, { reason: 'setup callback without a valid code and state' });
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Missing or invalid code or state: start again at /probot.\n');
        return true;
      }
      if (registered) {
        res
          .writeHead(409, { 'content-type': 'text/plain' })
          .end('The app is already registered. Restart the server if it does not receive webhooks.\n');
        return true;
      }
      registered = true;
      const octokit = new Octokit({
        baseUrl: apiBaseUrl(options.env),
        request: { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) },
      });
      let data: Awaited<ReturnType<typeof octokit.rest.apps.createFromManifest>>['data'];
      try {
        ({ data } = await octokit.rest.apps.createFromManifest({ code }));
      } catch (error) {
        registered = false;
        options.log.error({ err: error }, 'GitHub did not convert the setup code into an app');
        describeRequest(res, { reason: 'code conversion failed' });
        res
          .writeHead(502, { 'content-type': 'text/plain' })
          .end(`GitHub did not complete the registration (${(error as Error).message}). Start again at /probot.\n`);
        return true;
      }
      const app: RegisteredApp = {
        APP_ID: String(data.id),
        APP_SLUG: data.slug ?? '',
        PRIVATE_KEY: data.pem,
        WEBHOOK_SECRET: data.webhook_secret ?? '',
      };
      options.log.info({ app_id: data.id, app_slug: data.slug }, 'GitHub App registered');
      try {
        await options.onRegistered(app);
      } catch (error) {
        options.log.error({ err: error }, 'the app is registered but could not start');
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(
            `The app is registered and its credentials are saved, but it could not start: ${(error as Error).message}. Fix that and restart the server.\n`,
          );
        return true;
      }
      const installUrl = `${data.html_url}/installations/new`;
      res.writeHead(302, { location: installUrl, 'content-type': 'text/plain' }).end(`Found. Redirecting to ${installUrl}`);
      return true;
    }
    return false;
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function setupPage(manifest: AppManifest, action: string): string {
  const hook = manifest.hook_attributes.url;
  const local = /^https?:\/\/(localhost|127\.|\[::1\])/.test(hook);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register ai-review</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<h1>Register ai-review as a GitHub App</h1>
<p>GitHub will create the app from <code>app.yml</code> with the permissions and events it needs, then send you back here;
its id, private key and webhook secret are written to <code>.env</code> and the app starts receiving webhooks.</p>
<p>Webhook URL that will be registered: <code id="webhook-url">${escapeHtml(hook)}</code></p>
${
  local
    ? '<p><strong>GitHub cannot reach this address.</strong> Open this page through the public address of the server, or set <code>WEBHOOK_PROXY_URL</code> to a smee.io channel and restart.</p>'
    : ''
}
<form action="${escapeHtml(action)}" method="post">
<input type="hidden" name="manifest" id="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit">Register a GitHub App</button>
</form>
</body></html>
`;
}
