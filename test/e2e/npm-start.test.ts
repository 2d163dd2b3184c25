/**
 * The README's first command, as a new user runs it: `npm start` (prestart builds dist/ when it is missing or stale,
 * then `node dist/src/server.js`) without APP_ID serves the setup page whose manifest registers the webhook URL the
 * server serves, answers /ping, logs strict JSON lines, and stops on Ctrl-C.
 *
 * Then the process as an operator meets it (issue 7, item 7), on SQLite and on PostgreSQL: `node dist/src/server.js`
 * killed with SIGKILL while a job waits for GitHub loses nothing (the next process writes the check run without a
 * new delivery), and SIGTERM while a job hangs on GitHub exits 0 within 10 s and returns the job to the queue. Both
 * live in this file because both need dist/: files of one jest run run in parallel, and two builds at once would write
 * the same files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jest } from '@jest/globals';
import { SimulatedGitHub } from '../pipeline/simulated-github.js';
import { freshStore, waitFor } from '../queue/helpers.js';
import { freePort } from './fake-github.js';
import { serverEnv } from './server-env.js';
import { sign } from './http-client.js';
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

describe.each(['sqlite', 'postgres'] as const)('the server process on %s, as an operator stops it', (kind) => {
  const SECRET = 'process-secret';
  const sha = (n: number) => (n * 1000).toString(16).padStart(40, 'b');
  const cwd = mkdtempSync(join(tmpdir(), 'ai-review-process-')); // no .env of a developer's is read
  let sim: SimulatedGitHub;
  let ghe = '';
  let store: { url: string; drop: () => Promise<void> };
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // What `npm start`'s prestart does; nothing when the suite above already built.
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.js'], { stdio: 'inherit' });
    expect(build.status).toBe(0);
  });
  beforeEach(async () => {
    sim = new SimulatedGitHub();
    ghe = await sim.start();
    store = await freshStore(kind);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sim.stop();
    await store.drop();
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  /** Starts `node dist/src/server.js` on a free port; resolves once `GET /ready` answers 200. */
  async function startProcess(): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
    const port = await freePort();
    const child = spawn(process.execPath, [resolve('dist/src/server.js')], {
      cwd,
      env: serverEnv(
        { port, ghe, secret: SECRET, databaseUrl: store.url },
        {
          PATH: process.env.PATH,
          LOG_LEVEL: 'info',
          EVALUATION_DEBOUNCE_MS: '0',
          // A killed process's jobs are taken back after 1 s without its heartbeat (PostgreSQL; default 30 s).
          QUEUE_STALE_WORKER_S: '1',
        },
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${url}/ready`).catch(() => null))?.status === 200;
      },
      60_000,
      'GET /ready to answer 200',
    );
    return { child, url, output: () => output, exited };
  }

  async function deliverOpened(url: string, number: number): Promise<number> {
    const body = JSON.stringify(sim.openPullRequest(number, sha(number)));
    const response = await fetch(`${url}/api/github/webhooks`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': `process-${kind}-${number}`,
        'x-hub-signature-256': sign(body, SECRET),
      },
    });
    await response.arrayBuffer();
    return response.status;
  }

  const factsQueriesOf = (number: number) =>
    sim.requests.filter((r) => r.graphql?.operation === 'PullRequestFacts' && r.graphql.variables.number === number);

  it('SIGKILL while a job waits for GitHub: the next process writes the check run, without a new delivery', async () => {
    // The first facts query of PR 9 is never answered: the process is killed while it waits.
    sim.hang = (req) =>
      req.graphql?.operation === 'PullRequestFacts' && req.graphql.variables.number === 9 && factsQueriesOf(9).length === 1;
    const first = await startProcess();
    expect(await deliverOpened(first.url, 9)).toBe(200);
    await waitFor(() => factsQueriesOf(9).length === 1, 30_000, 'the job to read the pull request');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(sim.runsOn(sha(9)).filter((run) => run.status === 'completed')).toEqual([]);

    const second = await startProcess();
    await waitFor(() => sim.runsOn(sha(9)).some((run) => run.status === 'completed'), 60_000, 'the check run after the restart');
    expect(sim.runsOn(sha(9))).toHaveLength(1);
    expect(sim.runsOn(sha(9))[0]).toMatchObject({
      name: 'ai-review',
      status: 'completed',
      conclusion: 'action_required',
      output: { title: 'Needs 1 approval from @sam' },
    });
    expect(factsQueriesOf(9)).toHaveLength(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM while a job hangs on GitHub: exits 0 within 10 s, and the job runs again in the next process', async () => {
    let answering = false;
    sim.hang = (req) => !answering && req.graphql?.operation === 'PullRequestFacts' && req.graphql.variables.number === 10;
    const first = await startProcess();
    expect(await deliverOpened(first.url, 10)).toBe(200);
    await waitFor(() => factsQueriesOf(10).length === 1, 30_000, 'the job to read the pull request');
    const signalled = performance.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stoppedMs = performance.now() - signalled;
    expect(stoppedMs).toBeLessThan(10_000);
    expect(first.output()).toContain('queue: jobs still running at shutdown are returned to the queue');
    expect(sim.checkRuns).toEqual([]);

    answering = true;
    const second = await startProcess();
    await waitFor(() => sim.runsOn(sha(10)).some((run) => run.status === 'completed'), 60_000, 'the check run after the restart');
    expect(sim.runsOn(sha(10))).toHaveLength(1);
    expect(sim.runsOn(sha(10))[0]).toMatchObject({ status: 'completed', conclusion: 'action_required' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
