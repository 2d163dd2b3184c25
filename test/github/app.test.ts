/**
 * The webhook side: payload first, and the app-slug lookup never delays or fails a delivery.
 */
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import nock from 'nock';
import { createApp } from '../../src/github/app.js';
import { SqliteJobQueue } from '../../src/queue/sqlite.js';
import { API, PRIVATE_KEY, pullRequestPayload } from './harness.js';

let queue: SqliteJobQueue;
let probot: Probot;
beforeEach(async () => {
  nock.disableNetConnect();
  queue = new SqliteJobQueue({ file: ':memory:', logger: pino({ level: 'silent' }) });
  probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log: pino({ level: 'silent' }),
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  // No appSlug: the app would have to look it up.
  await probot.load(createApp({ queue, debounceMs: 0 }));
});
afterEach(async () => {
  await queue.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

const bot = { login: 'dependabot[bot]', id: 49699333, type: 'Bot' };

describe('payload first', () => {
  it('a malformed delivery from a bot is refused with 400 before any lookup or API call', async () => {
    const calls: string[] = [];
    nock(API)
      .persist()
      .get(/.*/)
      .reply((uri) => (calls.push(uri), [200, {}]));
    const payload = pullRequestPayload('opened', { sender: bot });
    Reflect.deleteProperty(payload.pull_request, 'head');
    const started = Date.now();
    await expect(probot.receive({ id: 'bad-1', name: 'pull_request', payload } as never)).rejects.toMatchObject({
      errors: [expect.objectContaining({ status: 400 })],
    });
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual([]);
    expect((await queue.stats()).pending).toBe(0);
  });

  it('a bot’s delivery is queued at once while GitHub does not answer the app-slug lookup', async () => {
    // GET /app hangs for 5 s: the delivery must not wait for it.
    nock(API).get('/app').delay(5000).reply(200, { slug: 'ai-review' });
    const started = Date.now();
    await probot.receive({ id: 'bot-1', name: 'pull_request', payload: pullRequestPayload('labeled', { sender: bot }) } as never);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await queue.stats()).pending).toBe(1);
  });
});
