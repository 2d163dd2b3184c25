/** Pure helpers of the HTTP layer and the setup flow: status mapping, manifest, GitHub URLs, and the .env writer. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { updateEnvFile } from '../../src/env-file.js';
import { apiBaseUrl, baseUrlOf, buildManifest, createAppUrl } from '../../src/http/setup.js';
import { errorStatus } from '../../src/http/webhooks.js';

describe('errorStatus', () => {
  it.each([
    ['a plain error', new Error('x'), 500],
    ['an error with status 400 (a payload the app refuses)', Object.assign(new Error('x'), { status: 400 }), 400],
    ['the same inside @octokit/webhooks’ AggregateError', new AggregateError([Object.assign(new Error('x'), { status: 422 })]), 422],
    [
      'a failed GitHub API call (RequestError: status 404, with request)',
      Object.assign(new Error('Not Found'), { status: 404, request: {} }),
      500,
    ],
    ['a status outside 400–599', Object.assign(new Error('x'), { status: 302 }), 500],
    ['not an error', 'boom', 500],
  ])('%s', (_name, error, status) => {
    expect(errorStatus(error)).toBe(status);
  });
});

describe('buildManifest', () => {
  const appYml = { name: 'ai-review', url: 'https://github.com/ai-review/ai-review', public: false, default_events: ['push'] };

  it('registers the webhook path at the base URL, or the proxy channel when set', () => {
    expect(buildManifest({ appYml, baseUrl: 'https://h.example', webhookPath: '/api/github/webhooks' })).toEqual({
      ...appYml,
      hook_attributes: { url: 'https://h.example/api/github/webhooks', active: true },
      redirect_url: 'https://h.example/probot/setup',
    });
    const proxied = buildManifest({
      appYml,
      baseUrl: 'http://localhost:3000',
      webhookPath: '/hooks',
      webhookProxyUrl: 'https://smee.io/abc',
    });
    expect(proxied.hook_attributes.url).toBe('https://smee.io/abc');
  });

  it('keeps a webhook URL written in app.yml', () => {
    const manifest = buildManifest({
      appYml: { ...appYml, hook_attributes: { url: 'https://fixed.example/hook' } },
      baseUrl: 'http://x',
      webhookPath: '/p',
    });
    expect(manifest.hook_attributes).toEqual({ url: 'https://fixed.example/hook', active: true });
  });
});

describe('GitHub URLs', () => {
  it('creates the app for the user, an organization (GH_ORG), or on GitHub Enterprise Server', () => {
    expect(createAppUrl({}, 's1')).toBe('https://github.com/settings/apps/new?state=s1');
    expect(createAppUrl({ GH_ORG: 'acme' }, 's1')).toBe('https://github.com/organizations/acme/settings/apps/new?state=s1');
    expect(createAppUrl({ GHE_HOST: 'ghe.example', GHE_PROTOCOL: 'http' }, 's1')).toBe('http://ghe.example/settings/apps/new?state=s1');
    expect(apiBaseUrl({})).toBe('https://api.github.com');
    expect(apiBaseUrl({ GHE_HOST: 'ghe.example' })).toBe('https://ghe.example/api/v3');
  });

  it('takes the base URL from the forwarded headers, else from Host', () => {
    const req = (headers: Record<string, string>) => ({ headers, socket: {} }) as unknown as IncomingMessage;
    expect(baseUrlOf(req({ host: 'localhost:3000' }))).toBe('http://localhost:3000');
    expect(baseUrlOf(req({ host: 'pod:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'review.acme.dev, proxy' }))).toBe(
      'https://review.acme.dev',
    );
  });
});

describe('updateEnvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps other lines, replaces the keys it sets, and writes a file Node reads back exactly', () => {
    const path = join(dir, '.env');
    writeFileSync(path, '# local settings\nLOG_LEVEL=debug\nAPP_ID=1\n');
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nAAA\nBBB\n-----END RSA PRIVATE KEY-----\n';
    updateEnvFile(path, { APP_ID: '4711', PRIVATE_KEY: pem });
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# local settings\nLOG_LEVEL=debug\n')).toBe(true);
    expect(parseEnv(text)).toEqual({ LOG_LEVEL: 'debug', APP_ID: '4711', PRIVATE_KEY: pem });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a value it cannot quote', () => {
    expect(() => updateEnvFile(join(dir, 'other.env'), { X: 'a"b' })).toThrow('double quote');
  });
});
