/**
 * `npm run bench`: replays webhook deliveries (default 10,000: 1,000 agent PRs × 10 events in real payload shapes
 * from @octokit/webhooks-examples) over HTTP against the app server, with GitHub mocked by a local HTTP server,
 * half without and half with metrics recording, in four rounds in ABBA order (off, on, on, off) so that load
 * drift hits both modes alike, and prints deliveries/s and p50/p99 handling time (the time until the webhook
 * endpoint answers, which Probot does after the handlers finished).
 *
 * Options: `--deliveries N` (multiple of 10), `--concurrency N` (PRs in flight, default 8),
 * `--github-latency-ms N` (added to every mocked API response, default 0: the worst case for the metrics share),
 * `--database-url URL` (store for the "with metrics" run; default a fresh SQLite file in a temp directory).
 * Exit code 1 when recording costs 20% of the handling time or more, or deliveries fail.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startMockGitHub } from './mock-github.js';
import { openStore } from '../src/metrics/index.js';

const SECRET = 'bench-webhook-secret';
const INSTALLATION = 4242;
const REPO = { owner: 'acme', name: 'widgets' };

interface Options {
  deliveries: number;
  concurrency: number;
  githubLatencyMs: number;
  databaseUrl: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number): number => {
    const v = get(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
    return n;
  };
  return {
    deliveries: Math.max(10, Math.round(int('deliveries', 10_000) / 10) * 10),
    concurrency: Math.max(1, int('concurrency', 8)),
    githubLatencyMs: int('github-latency-ms', 0),
    databaseUrl: get('database-url'),
  };
}

// ---- deliveries -----------------------------------------------------------------------------------------

interface Definition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[];

function template(name: string, action: string | null): Record<string, unknown> {
  const def = examples.find((d) => d.name === name);
  const ex = def?.examples.find((e) => (action === null ? e.ref === 'refs/heads/master' : e.action === action)) ?? def?.examples[0];
  if (!ex) throw new Error(`no example for ${name}`);
  return ex;
}

const TEMPLATES = {
  pull_request: template('pull_request', 'opened'),
  review: template('pull_request_review', 'submitted'),
  push: template('push', null),
};

interface Delivery {
  id: string;
  name: string;
  body: string;
}

const copilot = { login: 'Copilot', id: 198982749, type: 'Bot' };
const alice = { login: 'alice', id: 11, type: 'User' };
const bob = { login: 'bob', id: 12, type: 'User' };
const reviewBot = { login: 'copilot-pull-request-reviewer[bot]', id: 175728472, type: 'Bot' };

function repository(base: Record<string, unknown>): Record<string, unknown> {
  const repo = structuredClone(base.repository) as Record<string, unknown>;
  repo.name = REPO.name;
  repo.full_name = `${REPO.owner}/${REPO.name}`;
  repo.owner = { ...(repo.owner as Record<string, unknown>), login: REPO.owner };
  repo.default_branch = 'main';
  return repo;
}

/** The 10 deliveries of one agent PR: the review loop of issue #4, plus a push to the default branch. */
function prDeliveries(run: string, number: number): Delivery[] {
  const t0 = Date.parse('2026-03-02T10:00:00Z') + number * 3_600_000;
  const at = (minutes: number): string => new Date(t0 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sha = (n: number): string => `${number.toString(16)}${n}`.padEnd(40, 'b');
  const repo = repository(TEMPLATES.pull_request);
  let seq = 0;
  const out: Delivery[] = [];
  const pr = (headSha: string, updatedAt: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const p = structuredClone(TEMPLATES.pull_request.pull_request) as Record<string, unknown>;
    Object.assign(p, {
      number,
      title: `Bench change ${number}`,
      body: 'Copilot coding agent tips: https://gh.io/copilot-coding-agent-tips',
      user: copilot,
      draft: false,
      state: 'open',
      created_at: at(0),
      updated_at: updatedAt,
      closed_at: null,
      merged_at: null,
      merged: false,
      commits: 1,
      changed_files: 2,
      additions: 11,
      deletions: 3,
      head: { ...(p.head as Record<string, unknown>), ref: `copilot/bench-${number}`, sha: headSha },
      base: { ...(p.base as Record<string, unknown>), ref: 'main' },
      labels: [],
      assignees: [alice],
      requested_reviewers: [],
      requested_teams: [],
      ...extra,
    });
    return p;
  };
  const add = (name: string, payload: Record<string, unknown>): void => {
    seq += 1;
    out.push({
      id: `${run}-${number}-${seq}`,
      name,
      body: JSON.stringify({ ...payload, repository: repo, installation: { id: INSTALLATION } }),
    });
  };
  const prEvent = (action: string, p: Record<string, unknown>, sender: object, extra: Record<string, unknown> = {}): void =>
    add('pull_request', { action, number, pull_request: p, sender, ...extra });
  const review = (id: number, user: object, state: string, minutes: number, headSha: string): void => {
    const r = structuredClone(TEMPLATES.review.review) as Record<string, unknown>;
    Object.assign(r, { id, user, state, submitted_at: at(minutes), commit_id: headSha, body: null });
    add('pull_request_review', { action: 'submitted', review: r, pull_request: pr(headSha, at(minutes)), sender: user });
  };

  prEvent('opened', pr(sha(1), at(0)), copilot);
  review(number * 10 + 1, reviewBot, 'commented', 5, sha(1));
  review(number * 10 + 2, bob, 'changes_requested', 60, sha(1));
  prEvent('synchronize', pr(sha(2), at(90)), copilot, { before: sha(1), after: sha(2) });
  prEvent('labeled', pr(sha(2), at(95), { labels: [{ name: 'ci' }] }), alice, { label: { name: 'ci' } });
  review(number * 10 + 3, bob, 'approved', 120, sha(2));
  prEvent('synchronize', pr(sha(3), at(130)), alice, { before: sha(2), after: sha(3) });
  prEvent('edited', pr(sha(3), at(140)), alice, { changes: { title: { from: 'x' } } });
  prEvent(
    'closed',
    pr(sha(3), at(150), { state: 'closed', merged: true, merged_at: at(150), closed_at: at(150), merge_commit_sha: sha(9) }),
    alice,
  );
  const push = structuredClone(TEMPLATES.push);
  const commit = (push.commits as Array<Record<string, unknown>>)[0] ?? {};
  add('push', {
    ...push,
    ref: 'refs/heads/main',
    before: sha(8),
    after: sha(9),
    forced: false,
    commits: [
      {
        ...commit,
        id: sha(9),
        message: `Bench change ${number} (#${number})`,
        timestamp: at(150),
        added: [],
        modified: ['src/server.ts'],
        removed: [],
      },
    ],
    head_commit: {
      ...commit,
      id: sha(9),
      message: `Bench change ${number} (#${number})`,
      timestamp: at(150),
      added: [],
      modified: ['src/server.ts'],
      removed: [],
    },
    sender: alice,
    pusher: { name: 'alice', email: 'alice@example.com' },
  });
  return out;
}

// ---- load -----------------------------------------------------------------------------------------------

interface RunResult {
  mode: string;
  deliveries: number;
  failures: number;
  seconds: number;
  latenciesMs: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.ceil(rank)] ?? a;
  return a + (b - a) * (rank - lo);
}

async function send(url: string, d: Delivery): Promise<{ ms: number; ok: boolean; status: number }> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(d.body).digest('hex')}`;
  const start = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    body: d.body,
    headers: { 'content-type': 'application/json', 'x-github-event': d.name, 'x-github-delivery': d.id, 'x-hub-signature-256': signature },
  });
  await res.arrayBuffer();
  return { ms: performance.now() - start, ok: res.status < 300, status: res.status };
}

async function replay(url: string, run: string, firstPr: number, prs: number, concurrency: number): Promise<Omit<RunResult, 'mode'>> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const statuses = new Map<number, number>();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < prs) {
        const n = firstPr + next;
        next += 1;
        for (const d of prDeliveries(run, n)) {
          const r = await send(url, d);
          latencies.push(r.ms);
          if (!r.ok) {
            failures += 1;
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          }
        }
      }
    }),
  );
  if (failures > 0) process.stderr.write(`  failed deliveries by status: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  return { deliveries: latencies.length, failures, seconds: (performance.now() - start) / 1000, latenciesMs: latencies };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function startServer(mode: 'on' | 'off', env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.js');
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server processes.
  const execArgv = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = fork(script, [], { env: { ...env, BENCH_METRICS: mode }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(JSON.stringify(m)))));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const prs = options.deliveries / 10;
  const github = await startMockGitHub(options.githubLatencyMs);
  const dir = mkdtempSync(path.join(tmpdir(), 'ai-review-bench-'));
  const databaseUrl = options.databaseUrl ?? `sqlite:${path.join(dir, 'bench.sqlite')}`;
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  process.stderr.write(
    `ai-review bench: ${options.deliveries} deliveries (${prs} PRs × 10), concurrency ${options.concurrency}, GitHub mock latency ${options.githubLatencyMs} ms, store ${options.databaseUrl ? 'DATABASE_URL given' : 'SQLite file'}\n`,
  );

  // Rounds in ABBA order (off, on, on, off), each a quarter of the deliveries, so that drift in machine load
  // during the run (2 cores shared by the load generator, the GitHub mock and the server) hits both modes alike.
  const rounds = ['off', 'on', 'on', 'off'] as const;
  const prsPerRound = Math.max(1, Math.floor(prs / rounds.length));
  const byMode = new Map<'off' | 'on', RunResult>();
  let stored = -1;
  try {
    for (const [index, mode] of rounds.entries()) {
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        APP_ID: '123',
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        GHE_HOST: github.host,
        GHE_PROTOCOL: 'http',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: (process.env.BENCH_LOG_LEVEL ?? 'warn') as 'warn',
        LOG_FORMAT: 'json',
      };
      const child = await startServer(mode, env);
      try {
        const url = `http://127.0.0.1:${port}/api/github/webhooks`;
        const run = `${mode}-${index}-${Date.now()}`;
        // Warm-up (JIT, connection pools, first installation token): 20 PRs, not counted.
        await replay(url, `${run}-warmup`, 900_000, 20, options.concurrency);
        process.stderr.write(`  round ${index + 1}/${rounds.length}, metrics ${mode}: replaying...\n`);
        const r = await replay(url, run, 1, prsPerRound, options.concurrency);
        const previous = byMode.get(mode);
        byMode.set(mode, {
          mode: mode === 'on' ? 'with metrics' : 'without metrics',
          deliveries: (previous?.deliveries ?? 0) + r.deliveries,
          failures: (previous?.failures ?? 0) + r.failures,
          seconds: (previous?.seconds ?? 0) + r.seconds,
          latenciesMs: [...(previous?.latenciesMs ?? []), ...r.latenciesMs],
        });
      } finally {
        await stopServer(child);
      }
    }
    // The "with metrics" run must really have recorded every delivery.
    const store = await openStore({ databaseUrl, logger: pino({ level: 'silent' }) });
    const rows = await store.db.selectFrom('deliveries').select('id').execute();
    stored = rows.length;
    await store.close();
  } finally {
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const results = [byMode.get('off'), byMode.get('on')].filter((r): r is RunResult => r !== undefined);
  const fmt = (n: number, digits = 2): string => n.toFixed(digits);
  const lines = ['mode              deliveries  failed  deliveries/s   p50 ms   p99 ms  mean ms'];
  const stats = results.map((r) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    const mean = r.latenciesMs.reduce((a, b) => a + b, 0) / Math.max(1, r.latenciesMs.length);
    const s = { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean, rate: r.deliveries / r.seconds };
    lines.push(
      `${r.mode.padEnd(16)}  ${String(r.deliveries).padStart(10)}  ${String(r.failures).padStart(6)}  ${fmt(s.rate, 1).padStart(12)}  ${fmt(s.p50).padStart(7)}  ${fmt(s.p99).padStart(7)}  ${fmt(s.mean).padStart(7)}`,
    );
    return s;
  });
  const [off, on] = stats;
  let ok = results.every((r) => r.failures === 0);
  if (off && on) {
    const shareMean = (on.mean - off.mean) / on.mean;
    const shareP50 = (on.p50 - off.p50) / on.p50;
    lines.push('');
    lines.push(`metrics recording share of handling time: mean ${fmt(shareMean * 100, 1)}%, p50 ${fmt(shareP50 * 100, 1)}% (limit 20%)`);
    lines.push(`deliveries stored by the "with metrics" run (incl. warm-up): ${stored}`);
    ok = ok && shareMean < 0.2 && stored >= (results[1]?.deliveries ?? 0);
  }
  lines.push(ok ? 'PASS' : 'FAIL');
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = ok ? 0 : 1;
}

await main();
