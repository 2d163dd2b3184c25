/**
 * The README's first command, as a new user runs it: `npm start` (prestart builds dist/ when it is missing or stale,
 * then `node dist/src/server.js`) without APP_ID serves the setup page whose manifest registers the webhook URL the
 * server serves, answers /ping, logs strict JSON lines, and stops on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import { freePort } from './fake-github.js';
import { parseStrict } from './log-lines.js';

jest.setTimeout(240_000);

describe('npm start without APP_ID', () => {
  let child: ChildProcess;
  let stdout = '';
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    // Empty values win over a developer's .env (Node's loader keeps variables that are already set).
    child = spawn('npm', ['start'], {
      env: {
        ...process.env,
        APP_ID: '',
        WEBHOOK_PROXY_URL: '',
        NO_SMEE_SETUP: 'true',
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, signalled as a terminal signals its foreground job (npm forwards no signal when piped).
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${stdout}`)), 200_000);
      child.stdout!.on('data', () => {
        if (stdout.includes('is not registered yet')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stdout}`)));
    });
  });

  /** Sends `signal` to npm and the server (the group led by npm), resolving when npm has exited. */
  async function stop(signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, signal);
    await exited;
  }

  afterAll(() => stop('SIGKILL'));

  it('serves the setup page with the webhook URL it serves', async () => {
    const html = await (await fetch(`http://127.0.0.1:${port}/probot`)).text();
    expect(html).toContain(`<code id="webhook-url">http://127.0.0.1:${port}/api/github/webhooks</code>`);
    expect((await fetch(`http://127.0.0.1:${port}/ping`)).status).toBe(200);
  });

  it('writes strict JSON log lines (npm prints its own banner lines around them)', () => {
    const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((line) => parseStrict(`${line}\n`));
    expect(parsed[0]).toMatchObject({
      name: 'ai-review',
      setup: true,
      msg: `ai-review is not registered yet: open http://127.0.0.1:${port} to register it as a GitHub App`,
    });
  });

  it('stops on Ctrl-C (SIGINT to the job) and frees the port', async () => {
    await stop('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(fetch(`http://127.0.0.1:${port}/ping`)).rejects.toThrow();
  });
});
