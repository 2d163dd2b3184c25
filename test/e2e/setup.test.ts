/**
 * End to end: `npm start` without APP_ID. The setup page's manifest registers the webhook URL the server serves (or
 * the WEBHOOK_PROXY_URL channel), GitHub's redirect with the code stores the credentials in `.env`, and signed
 * deliveries to the registered URL are then processed by the same process, directly or through the smee channel.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { AppManifest } from '../../src/http/setup.js';
import { start, type RunningServer, type StartOptions } from '../../src/server.js';
import { PRIVATE_KEY, pullRequestPayload } from '../github/harness.js';
import { FakeGitHub, freePort } from './fake-github.js';
import { FakeSmee } from './fake-smee.js';
import { GATE_CALLS, SHA, routeGateFlow } from './gate-routes.js';
import { sign } from './http-client.js';
import { LogCapture } from './log-lines.js';
import { waitFor } from './wait.js';

const APP_YML = parseYaml(readFileSync('app.yml', 'utf8')) as Record<string, unknown>;
const REGISTERED_SECRET = 'whsec-from-github';

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

/** The form on the setup page: where it posts and the manifest it carries. */
async function setupForm(base: string): Promise<{ action: string; manifest: AppManifest }> {
  const response = await fetch(`${base}/probot`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const action = /<form action="([^"]+)"/.exec(html)?.[1];
  const manifest = /<input type="hidden" name="manifest" id="manifest" value="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  expect(manifest).toBeDefined();
  return { action: unescapeHtml(action!), manifest: JSON.parse(unescapeHtml(manifest!)) as AppManifest };
}

function conversionRoute(github: FakeGitHub, code: string): void {
  github.on('POST', `/app-manifests/${code}/conversions`, {
    status: 201,
    body: {
      id: 4711,
      slug: 'ai-review-e2e',
      name: 'ai-review-e2e',
      pem: PRIVATE_KEY,
      webhook_secret: REGISTERED_SECRET,
      client_id: 'Iv1.e2e',
      client_secret: 'client-secret-e2e',
      html_url: `http://${github.host}/apps/ai-review-e2e`,
    },
  });
}

async function register(base: string, github: FakeGitHub, state: string): Promise<void> {
  const wrong = await fetch(`${base}/probot/setup?code=abc123&state=forged`, { redirect: 'manual' });
  expect(wrong.status).toBe(400);
  const done = await fetch(`${base}/probot/setup?code=abc123&state=${state}`, { redirect: 'manual' });
  expect(done.status).toBe(302);
  expect(done.headers.get('location')).toBe(`http://${github.host}/apps/ai-review-e2e/installations/new`);
}

function signedDelivery(id: string): { body: string; headers: Record<string, string>; payload: Record<string, unknown> } {
  const payload = pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1 });
  const body = JSON.stringify(payload);
  return {
    body,
    payload,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': id,
      'x-hub-signature-256': sign(body, REGISTERED_SECRET),
    },
  };
}

/** A server started without APP_ID against a fresh fake GitHub, with its .env in a temporary folder. */
class SetupFixture {
  readonly github = new FakeGitHub();
  readonly dir = mkdtempSync(join(tmpdir(), 'ai-review-setup-'));
  readonly envFile = join(this.dir, '.env');
  readonly log = new LogCapture();
  server: RunningServer | null = null;
  base = '';

  async start(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<void> {
    routeGateFlow(this.github);
    await this.github.start();
    conversionRoute(this.github, 'abc123');
    const port = await freePort();
    const settings = { PORT: String(port), HOST: '127.0.0.1', GHE_HOST: this.github.host, GHE_PROTOCOL: 'http' };
    const databaseUrl = `sqlite:${join(this.dir, 'metrics.sqlite')}`;
    ({ server: this.server } = await start(
      { ...settings, DATABASE_URL: databaseUrl, EVALUATION_DEBOUNCE_MS: '0', REDELIVERY_INTERVAL_S: '0', ...env },
      { write: this.log.write },
      { envFile: this.envFile, appYmlPath: 'app.yml', ...options },
    ));
    this.base = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.github.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('setup flow, app reachable at its own address', () => {
  const fixture = new SetupFixture();
  const { github, envFile, log } = fixture;
  let base = '';

  beforeAll(async () => {
    await fixture.start({ NODE_ENV: 'development', NO_SMEE_SETUP: 'true' });
    base = fixture.base;
  });

  afterAll(() => fixture.stop());

  it('sends the browser from / to the setup page', async () => {
    const response = await fetch(`${base}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/probot');
  });

  let registeredManifest: AppManifest | undefined;

  it('builds the manifest from app.yml with the webhook URL the server serves', async () => {
    const { action, manifest } = await setupForm(base);
    registeredManifest = manifest;
    expect(action).toMatch(new RegExp(`^http://${github.host}/settings/apps/new\\?state=[0-9a-f]{32}$`));
    expect(manifest).toEqual({
      ...APP_YML,
      public: false,
      hook_attributes: { url: `${base}/api/github/webhooks`, active: true },
      redirect_url: `${base}/probot/setup`,
    });
    expect(manifest.default_events).toEqual(['check_run', 'issue_comment', 'merge_group', 'pull_request', 'pull_request_review', 'push']);
  });

  it('uses the address the browser came through behind a proxy', async () => {
    const response = await fetch(`${base}/probot`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ai-review.example.com' },
    });
    const html = await response.text();
    expect(html).toContain('https://ai-review.example.com/api/github/webhooks');
    expect(html).not.toContain('GitHub cannot reach this address');
  });

  it('answers 503 to deliveries until the app is registered', async () => {
    const delivery = signedDelivery('before-registration');
    const response = await fetch(`${base}/api/github/webhooks`, { method: 'POST', body: delivery.body, headers: delivery.headers });
    expect(response.status).toBe(503);
  });

  it('says so when GitHub refuses the code, and lets the flow start again', async () => {
    const { action } = await setupForm(base);
    const refused = await fetch(`${base}/probot/setup?code=expired&state=${new URL(action).searchParams.get('state')!}`, {
      redirect: 'manual',
    });
    expect(refused.status).toBe(502);
    expect(await refused.text()).toContain('Start again at /probot');
    expect(github.routesCalled()).toEqual(['POST /app-manifests/expired/conversions']);
    github.requests.length = 0;
  });

  it('exchanges the code for the credentials, writes them to .env, and starts the app', async () => {
    const { action } = await setupForm(base);
    await register(base, github, new URL(action).searchParams.get('state')!);
    const written = parseEnv(readFileSync(envFile, 'utf8'));
    expect(written).toEqual({ APP_ID: '4711', APP_SLUG: 'ai-review-e2e', PRIVATE_KEY: PRIVATE_KEY, WEBHOOK_SECRET: REGISTERED_SECRET });
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(github.routesCalled()).toEqual(['POST /app-manifests/abc123/conversions']);
    expect(log.all()).toContainEqual(expect.objectContaining({ msg: 'the app is registered and now receives webhooks', app_id: '4711' }));
    const all = log.lines.join('');
    expect(all).not.toContain('BEGIN RSA PRIVATE KEY');
    expect(all).not.toContain(REGISTERED_SECRET);
    expect(all).not.toContain('abc123');
  });

  it('processes a signed delivery posted to the webhook URL of the manifest', async () => {
    github.requests.length = 0;
    const delivery = signedDelivery('after-registration');
    const response = await fetch(registeredManifest!.hook_attributes.url, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect(response.status).toBe(200);
    // Acknowledged at once; the job makes the calls.
    await waitFor(() => github.routesCalled().length >= GATE_CALLS.length);
    expect(github.routesCalled()).toEqual(GATE_CALLS);
  });

  it('serves no setup pages once the app runs', async () => {
    expect((await fetch(`${base}/probot`)).status).toBe(404);
    expect((await fetch(`${base}/probot/setup?code=abc123&state=x`)).status).toBe(404);
  });
});

describe('setup flow through a smee.io channel (WEBHOOK_PROXY_URL)', () => {
  const fixture = new SetupFixture();
  const { github, envFile, log } = fixture;
  const smee = new FakeSmee();
  let base = '';

  beforeAll(async () => {
    await smee.start();
    await fixture.start({}, { newSmeeChannelUrl: `${smee.base}/new` });
    base = fixture.base;
  });

  afterAll(async () => {
    await fixture.stop();
    await smee.stop();
  });

  it('creates a channel, stores it in .env and registers it as the webhook URL', async () => {
    expect(parseEnv(readFileSync(envFile, 'utf8'))).toEqual({ WEBHOOK_PROXY_URL: `${smee.base}/channel-e2e` });
    const { manifest } = await setupForm(base);
    expect(manifest.hook_attributes).toEqual({ url: `${smee.base}/channel-e2e`, active: true });
    expect(smee.connected).toBe(1);
  });

  it('forwards deliveries from the channel to the app once it is registered', async () => {
    const { action } = await setupForm(base);
    await register(base, github, new URL(action).searchParams.get('state')!);
    expect(parseEnv(readFileSync(envFile, 'utf8'))).toMatchObject({ WEBHOOK_PROXY_URL: `${smee.base}/channel-e2e`, APP_ID: '4711' });
    github.requests.length = 0;
    const delivery = signedDelivery('through-smee');
    const { 'content-type': _type, ...headers } = delivery.headers;
    smee.send(headers, delivery.payload);
    await waitFor(() => log.all().some((l) => l.msg === 'webhook delivery' && l.delivery_id === 'through-smee'));
    expect(log.all().find((l) => l.delivery_id === 'through-smee' && l.msg === 'webhook delivery')).toMatchObject({ status: 200 });
    await waitFor(() => github.routesCalled().length >= GATE_CALLS.length);
    expect(github.routesCalled()).toEqual(GATE_CALLS);
  });
});
