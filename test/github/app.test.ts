/**
 * The webhook side: payload first, and the app-slug lookup never delays or fails a delivery.
 */
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import nock from 'nock';
import { jest } from '@jest/globals';
import { createApp, type LoadedApp } from '../../src/github/app.js';
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

describe('receive (the server’s route, without Probot’s per-event context)', () => {
  let receive: LoadedApp['receive'];
  /** Octokit instances built since the app loaded. */
  let built = 0;
  beforeEach(async () => {
    class CountingOctokit extends ProbotOctokit {
      constructor(...args: ConstructorParameters<typeof ProbotOctokit>) {
        super(...args);
        built++;
      }
    }
    probot = new Probot({ appId: 123, privateKey: PRIVATE_KEY, log: pino({ level: 'silent' }), Octokit: CountingOctokit });
    await probot.load(
      createApp({
        queue,
        debounceMs: 0,
        appSlug: 'ai-review',
        onLoad: (loaded) => {
          receive = loaded.receive;
        },
      }),
    );
    built = 0;
  });

  it('queues the delivery’s job, as probot.receive does, without building an Octokit', async () => {
    await receive({ id: 'direct-1', name: 'pull_request', payload: pullRequestPayload('opened') });
    expect(await queue.stats()).toMatchObject({ pending: 1 });
    expect(built).toBe(0);
    // The same delivery through Probot: its transform builds an Octokit for the event.
    await probot.receive({ id: 'direct-2', name: 'pull_request', payload: pullRequestPayload('opened') } as never);
    expect(built).toBe(1);
  });

  it('rejects a malformed payload with the PayloadError itself (status 400), queueing nothing', async () => {
    const payload = pullRequestPayload('opened');
    Reflect.deleteProperty(payload.pull_request, 'head');
    await expect(receive({ id: 'direct-bad', name: 'pull_request', payload })).rejects.toMatchObject({ name: 'PayloadError', status: 400 });
    expect((await queue.stats()).pending).toBe(0);
  });

  it('rejects with the queue’s error when the job cannot be written (the endpoint answers 500)', async () => {
    jest.spyOn(queue, 'add').mockRejectedValueOnce(new Error('disk I/O error'));
    await expect(receive({ id: 'direct-down', name: 'pull_request', payload: pullRequestPayload('opened') })).rejects.toThrow(
      'disk I/O error',
    );
    expect((await queue.stats()).pending).toBe(0);
  });
});
