/**
 * `npm run bench`: the durable pipeline under load, on SQLite and on PostgreSQL, against a local stateful GitHub
 * mock (bench/mock-github.ts), with the app in a child process wired as in production (bench/server.ts).
 *
 * Per store it measures and prints:
 * 1. Acknowledgement: deliveries/s and p50/p99 time until the webhook is answered, at a fixed offered rate (open
 *    loop, default 200/s) and at maximum throughput (closed loop, `--connections` clients), for ai-review and for a
 *    no-op Probot app (Probot's own `run` and `Server` with its signature verification, an `onAny` handler that
 *    does nothing)
 *    measured in the same run. Targets (issue 7): p99 under 50 ms at 200/s; throughput at least half the no-op's.
 *    With the workers running, jobs yield to a flood of deliveries (src/github/webhook-load.ts): in the maximum-
 *    throughput run they wait for lulls (at most 2 s each) and catch up after it; at 200/s they do not wait.
 *    The same with the workers paused (the webhook path alone) and, on PostgreSQL, against a web instance
 *    (`QUEUE_CONCURRENCY=0`) with a separate worker instance on the same store. Each maximum-throughput run also
 *    prints the CPU time per delivery of the server, of this process and of the local PostgreSQL processes.
 * 2. Evaluations: `--prs` pull requests opened at once; the time from the first delivery until each has its check
 *    run on its head SHA, and evaluations per second.
 * 3. Coalescing: 20 `synchronize` deliveries for each of `--burst-prs` pull requests within 2 s; evaluations run per
 *    delivery, at most 3 per pull request (target), and the final check run on every final head SHA.
 *    Phases 2 and 3 (and the review loops of 4) also print the GitHub API budget per evaluation as the mock counted
 *    it: GraphQL queries and points, REST reads and writes (issue 8).
 * 4. Metrics recording: job handling time with and without metrics recording, in four rounds in ABBA order (off,
 *    on, on, off) so that drift in machine load hits both alike; the share of recording (target: under 20% on
 *    PostgreSQL, issue 7 item 9).
 * After every phase each pull request's check runs are verified on the mock: at most one check run per head SHA,
 * none left in progress, exactly one completed check run on the final head SHA of every open pull request, and
 * the pull request's last job read its newest state.
 *
 * Options: `--deliveries N` (per acknowledgement run and for the metrics rounds together, default 2000),
 * `--quick` (600 deliveries, 50 PRs, 10 burst PRs), `--rate N` (200), `--connections N` (16), `--window N` (pull
 * requests active at once, 40), `--prs N` (200), `--burst-prs N` (20), `--metrics-rate N` (50),
 * `--metrics-round-s N` (length of each metrics round at `--metrics-rate`, 45; 10 with `--quick`: longer than the
 * metrics pass interval, so that the pass runs during the load as in production), `--warmup N` (deliveries sent as
 * fast as the clients go before each app's acknowledgement runs, not counted, 4000; 1000 with `--quick`: the first
 * 2,000 deliveries after a start ran at 60% of the steady rate, JIT and prepared statements), `--ack-rounds N` (pairs
 * of maximum-throughput runs of the no-op app and ai-review, alternated ABBA, 3; 1 with `--quick`), `--github-latency-ms N` (added to
 * every mock answer, 0), `--phases ack,evaluations,burst,metrics`,
 * `--database-url URL` (only this store; PostgreSQL in a fresh schema, dropped afterwards), `--throttle` (keep
 * Probot's write throttling, as in production). Default stores: a temporary SQLite file and PostgreSQL at
 * BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test_bench, in a fresh schema dropped afterwards.
 *
 * Exit code 1 only when deliveries failed, check runs were wrong, the queue did not drain or a PostgreSQL named by
 * `--database-url` or BENCH_DATABASE_URL did not answer (the default one is then skipped); the targets print PASS or
 * FAIL without changing it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_DEBOUNCE_MS } from '../src/github/app.js';
import { DEFAULT_RECOMPUTE_INTERVAL_S } from '../src/server.js';
import { interleave, openedPullRequest, REPO, reviewLoop, SECRET, synchronizeBurst, type Delivery } from './deliveries.js';
import { closedLoop, openLoop, percentile, scheduled, type LoadResult, type Target } from './load.js';
import { startMockGitHub, type ApiBudget, type MockGitHub } from './mock-github.js';
import type { ServerCommand, ServerStats } from './server.js';

const APP_ID = 123;
const PHASES = ['ack', 'evaluations', 'burst', 'metrics'] as const;
type Phase = (typeof PHASES)[number];
/** Coalescing burst: deliveries per pull request, within this many ms (issue 7, item 3). */
const BURST = { deliveries: 20, withinMs: 2000, maxEvaluations: 3 };
const DRAIN_TIMEOUT_MS = 180_000;

interface Options {
  deliveries: number;
  rate: number;
  connections: number;
  window: number;
  prs: number;
  burstPrs: number;
  metricsRate: number;
  metricsRoundS: number;
  warmup: number;
  ackRounds: number;
  githubLatencyMs: number;
  phases: Set<Phase>;
  databaseUrl: string | undefined;
  throttle: boolean;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const int = (name: string, fallback: number, min = 1): number => {
    const v = get(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}`);
    return n;
  };
  const phases = (get('phases') ?? PHASES.join(',')).split(',');
  for (const p of phases) if (!PHASES.includes(p as Phase)) throw new Error(`--phases: unknown phase ${p} (${PHASES.join(', ')})`);
  return {
    deliveries: Math.max(40, Math.round(int('deliveries', quick ? 600 : 2000) / 40) * 40),
    rate: int('rate', 200),
    connections: int('connections', 16),
    window: int('window', 40),
    prs: int('prs', quick ? 50 : 200),
    burstPrs: int('burst-prs', quick ? 10 : 20),
    metricsRate: int('metrics-rate', 50),
    metricsRoundS: int('metrics-round-s', quick ? 10 : 45),
    warmup: Math.max(10, Math.round(int('warmup', quick ? 1000 : 4000) / 10) * 10),
    ackRounds: int('ack-rounds', quick ? 1 : 3),
    githubLatencyMs: int('github-latency-ms', 0, 0),
    phases: new Set(phases as Phase[]),
    databaseUrl: get('database-url'),
    throttle: argv.includes('--throttle'),
  };
}

// ---- stores ---------------------------------------------------------------------------------------------

interface Store {
  label: string;
  databaseUrl: string;
  cleanup(): Promise<void>;
}

function sqliteStore(file?: string): Store {
  if (file) return { label: 'SQLite', databaseUrl: file, cleanup: () => Promise.resolve() };
  const dir = mkdtempSync(path.join(tmpdir(), 'ai-review-bench-'));
  return {
    label: 'SQLite (temporary file)',
    databaseUrl: `sqlite:${path.join(dir, 'bench.sqlite')}`,
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

async function withClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh schema on the PostgreSQL at `base` for the app's tables (through `search_path`), dropped afterwards, with
 * the schema graphile-worker keeps the jobs in for that `search_path` (`<schema>_graphile_worker`, src/queue/postgres.ts).
 */
async function postgresStore(base: string): Promise<Store> {
  const schema = `ai_review_bench_${process.pid}`;
  const drop = `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_graphile_worker CASCADE`;
  await withClient(base, (client) => client.query(`${drop}; CREATE SCHEMA ${schema}`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  return {
    label: `PostgreSQL (${where}, schema ${schema})`,
    databaseUrl: url.toString(),
    cleanup: () =>
      withClient(base, async (c) => {
        await c.query(drop);
      }),
  };
}

// ---- server processes -----------------------------------------------------------------------------------

interface BenchServer {
  url: string;
  stats(reset?: boolean): Promise<ServerStats>;
  /** Starts or stops the app's queue workers. */
  workers(run: boolean): Promise<void>;
  /** Runs the metrics recomputation pass now, until nothing is left to store (the no-op app: nothing). */
  recompute(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

interface ServerSettings {
  app: 'app' | 'noop';
  metrics: boolean;
  databaseUrl: string;
  throttle: boolean;
  /** Extra environment (e.g. `BENCH_WORKERS=paused`, `EVALUATION_DEBOUNCE_MS`). */
  env?: NodeJS.ProcessEnv;
}

async function startServer(github: MockGitHub, settings: ServerSettings): Promise<BenchServer> {
  const port = await freePort();
  const passThrough = [
    'EVALUATION_DEBOUNCE_MS',
    'QUEUE_CONCURRENCY',
    'QUEUE_YIELD_MS',
    'GITHUB_REQUEST_TIMEOUT_MS',
    'METRICS_RECOMPUTE_INTERVAL_S',
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    GHE_HOST: github.host,
    GHE_PROTOCOL: 'http',
    DATABASE_URL: settings.databaseUrl,
    METRICS_TOKEN: 'bench-metrics-token',
    LOG_LEVEL: (process.env.BENCH_LOG_LEVEL ?? 'warn') as 'warn',
    BENCH_APP: settings.app,
    BENCH_METRICS: settings.metrics ? 'on' : 'off',
    BENCH_THROTTLE: settings.throttle ? 'on' : 'off',
    ...settings.env,
    ...Object.fromEntries(passThrough.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
  };
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.js');
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server processes.
  const execArgv = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = fork(script, [], { env, execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout?.pipe(process.stderr); // the server's log lines stay off the report
  const replies: Array<{ resolve: (stats: ServerStats | undefined) => void; reject: (error: Error) => void }> = [];
  let exited: Error | null = null;
  let stopping = false;
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type: string; stats?: ServerStats }) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'reply') replies.shift()?.resolve(m.stats);
    });
    child.on('exit', (code, signal) => {
      exited = new Error(`the ${settings.app} server exited (${signal ?? `code ${code}`})`);
      if (!stopping) reject(exited);
      for (const r of replies.splice(0)) r.reject(exited);
    });
  });
  // One command at a time: replies come back in order.
  let chain: Promise<unknown> = Promise.resolve();
  const request = (command: ServerCommand): Promise<ServerStats | undefined> => {
    const next = chain.then(
      () =>
        new Promise<ServerStats | undefined>((resolve, reject) => {
          if (exited) return reject(exited);
          replies.push({ resolve, reject });
          child.send(command);
        }),
    );
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    stats: async (reset = false) => (await request({ type: 'stats', reset }))!,
    workers: async (run) => void (await request({ type: 'workers', run })),
    recompute: async () => void (await request({ type: 'recompute' })),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' } satisfies ServerCommand);
      }),
  };
}

/** Waits until the server's queue holds no job (pending or running). Output: false on timeout. */
async function drain(server: BenchServer): Promise<boolean> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  let idle = 0;
  while (performance.now() < deadline) {
    const { queue } = await server.stats();
    if (!queue) return true;
    idle = queue.pending === 0 && queue.running === 0 ? idle + 1 : 0;
    if (idle >= 2) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// ---- verification ---------------------------------------------------------------------------------------

interface Verification {
  pullRequests: number;
  /** Evaluations (`PullRequestFacts` GraphQL queries) the mock saw, in all and for the pull request with the most. */
  evaluations: number;
  maxEvaluations: number;
  /** When the last final check run was written (`performance.now()`), and the first check-run write. */
  lastFinalWriteAt: number;
  firstWriteAt: number;
  errors: string[];
}

/** Checks the check runs of pull requests `numbers` on the mock (see module docs). */
function verify(github: MockGitHub, numbers: readonly number[]): Verification {
  const v: Verification = {
    pullRequests: 0,
    evaluations: 0,
    maxEvaluations: 0,
    lastFinalWriteAt: 0,
    firstWriteAt: Infinity,
    errors: [],
  };
  const { invalid } = github.graphqlTiming();
  if (invalid > 0) v.errors.push(`${invalid} GraphQL queries failed validation against GitHub's schema`);
  for (const n of numbers) {
    const pr = github.pullRequest(REPO.owner, REPO.name, n);
    if (!pr) continue;
    v.pullRequests += 1;
    const seen = github.observation(REPO.owner, REPO.name, n);
    v.evaluations += seen.evaluations;
    v.maxEvaluations = Math.max(v.maxEvaluations, seen.evaluations);
    if (seen.reads.at(-1) !== pr.version)
      v.errors.push(`#${n}: the last job read version ${seen.reads.at(-1) ?? 'none'} of the pull request, not its newest (${pr.version})`);
    for (const c of pr.commits) {
      const runs = github.checkRuns(REPO.owner, REPO.name, c.sha);
      if (runs.length > 1) v.errors.push(`#${n}: ${runs.length} check runs on head SHA ${c.sha.slice(0, 12)}`);
      for (const run of runs) {
        if (run.status !== 'completed') v.errors.push(`#${n}: check run on ${c.sha.slice(0, 12)} left ${run.status}`);
        v.firstWriteAt = Math.min(v.firstWriteAt, ...run.writes.map((w) => w.at));
      }
    }
    const final = github.checkRuns(REPO.owner, REPO.name, pr.headSha);
    if (pr.state === 'open') {
      if (final.length !== 1) v.errors.push(`#${n}: ${final.length} check runs on the final head SHA`);
      v.lastFinalWriteAt = Math.max(v.lastFinalWriteAt, ...final.flatMap((r) => r.writes.map((w) => w.at)));
    }
  }
  return v;
}

// ---- phases ---------------------------------------------------------------------------------------------

interface AckFigures {
  fixed: Summary;
  max: Summary;
  /** The pull requests whose deliveries were sent. */
  prs: number[];
}

interface Summary {
  deliveries: number;
  failed: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * GitHub API budget per evaluation between two readings of the mock (issue 8's target: at most 1 GraphQL query and
 * 1 REST write per evaluation of a pull request with at most 100 files and commits, 0 writes when nothing changed).
 */
function budgetLine(before: ApiBudget, after: ApiBudget): string {
  const n = after.evaluations - before.evaluations;
  const per = (k: keyof ApiBudget) => fmt((after[k] - before[k]) / Math.max(1, n), 2);
  return (
    `GitHub API per evaluation (${n} evaluations): ${per('graphqlQueries')} GraphQL queries, ${per('graphqlPoints')} points, ` +
    `${per('restReads')} REST reads, ${per('restWrites')} REST writes (check runs, review requests)`
  );
}

function summarize(r: LoadResult): Summary {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return {
    deliveries: r.deliveries,
    failed: r.failed,
    rate: r.deliveries / r.seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** The run with the median rate (the lower middle one of an even count). */
function medianRate(runs: readonly Summary[]): Summary {
  const sorted = [...runs].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * CPU time (user + system) of this machine's PostgreSQL processes, in ms, from /proc (Linux; clock ticks of 10 ms);
 * null when /proc cannot be read or no process is named postgres. Processes that exit between two readings drop out.
 */
function postgresCpuMs(): number | null {
  try {
    let ticks = 0;
    let found = false;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15 of proc(5)
      found = true;
    }
    return found ? ticks * 10 : null;
  } catch {
    return null;
  }
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

/** Prints a store's report lines as they come and collects its failures (the exit code). */
class Report {
  readonly failures: string[] = [];
  add(line: string): void {
    process.stdout.write(`${line}\n`);
  }
  load(label: string, r: LoadResult): Summary {
    const s = summarize(r);
    if (r.failed > 0)
      this.failures.push(`${label}: ${r.failed} deliveries failed ${JSON.stringify(r.statuses)} ${JSON.stringify(r.errors)}`);
    const lag = r.sendLagP99Ms > 0 ? `  (send lag p99 ${fmt(r.sendLagP99Ms)} ms)` : '';
    this.add(
      `${label.padEnd(58)} ${String(s.deliveries).padStart(6)} ${String(s.failed).padStart(6)} ${fmt(s.rate).padStart(8)}/s ${fmt(s.p50, 2).padStart(8)} ${fmt(s.p99, 2).padStart(8)} ${fmt(s.max, 2).padStart(8)}${lag}`,
    );
    return s;
  }
  checked(label: string, v: Verification, drained: boolean, print = true): void {
    if (!drained) this.failures.push(`${label}: the queue did not drain within ${DRAIN_TIMEOUT_MS / 1000} s`);
    for (const e of v.errors.slice(0, 10)) this.failures.push(`${label}: ${e}`);
    if (v.errors.length > 10) this.failures.push(`${label}: ... ${v.errors.length - 10} more wrong check runs`);
    const ok = v.errors.length === 0 && drained;
    if (print || !ok) this.add(`${label}: check runs of ${v.pullRequests} pull requests ${ok ? 'correct' : `WRONG (${v.errors.length})`}`);
  }
}

class Bench {
  private nextNumber = 1;
  constructor(
    private readonly options: Options,
    private readonly github: MockGitHub,
  ) {}

  private numbers(count: number): number[] {
    const first = this.nextNumber;
    this.nextNumber += count;
    return Array.from({ length: count }, (_, i) => first + i);
  }

  private target(server: BenchServer): Target {
    return { url: server.url, beforeSend: (d: Delivery) => d.state && this.github.setPullRequest(d.state) };
  }

  /** Review loops of `count` new pull requests, interleaved `--window` at a time (`merged`: see `reviewLoop`). */
  private loops(run: string, count: number, merged = true): { numbers: number[]; deliveries: Delivery[] } {
    const numbers = this.numbers(count);
    return {
      numbers,
      deliveries: interleave(
        numbers.map((n) => reviewLoop(run, n, merged)),
        this.options.window,
      ),
    };
  }

  /**
   * JIT, connection pools, prepared statements, the first installation token: `loops` review loops of 10 deliveries
   * (default 20), as fast as `--connections` clients go, not counted. The acknowledgement runs warm up longer
   * (`--warmup`), the no-op app as much as ai-review.
   */
  private async warmUp(server: BenchServer, run: string, loops = 20): Promise<number[]> {
    const { numbers, deliveries } = this.loops(`${run}-warmup`, loops);
    await closedLoop(this.target(server), deliveries, this.options.connections);
    return numbers;
  }

  /**
   * One acknowledgement measurement: review loops at the fixed rate, then as fast as `--connections` clients go.
   * `drained`: wait for the queue between the two (not while the workers are paused).
   */
  async acknowledgement(report: Report, server: BenchServer, label: string, drained: boolean): Promise<AckFigures> {
    const fixed = await this.fixedRate(report, server, label);
    if (drained) await drain(server);
    const max = await this.maxThroughput(report, server, label);
    return { fixed: fixed.summary, max: max.summary, prs: [...fixed.prs, ...max.prs] };
  }

  /** Review loops offered at `--rate` (open loop). */
  private async fixedRate(report: Report, server: BenchServer, label: string): Promise<{ summary: Summary; prs: number[] }> {
    const o = this.options;
    const fixed = this.loops(`${label.replace(/\W+/g, '-')}-${Date.now()}-fixed`, o.deliveries / 10);
    await server.stats();
    const generator = monitorEventLoopDelay({ resolution: 10 });
    generator.enable();
    const summary = report.load(`${label}, ${o.rate}/s offered`, await openLoop(this.target(server), fixed.deliveries, o.rate));
    generator.disable();
    // A delivery waits at least as long as the longest stretch of code the server ran at once before reading it.
    const { loopDelayMs, gcMs } = await server.stats();
    report.add(
      `  server event-loop delay during the run: p99 ${fmt(loopDelayMs.p99, 1)} ms, max ${fmt(loopDelayMs.max, 1)} ms; ` +
        `garbage collection ${fmt(gcMs.total, 0)} ms in all, longest pause ${fmt(gcMs.max, 1)} ms`,
    );
    report.add(
      `  this process's (load generator and GitHub mock) event-loop delay: p99 ${fmt(Math.max(0, generator.percentile(99) / 1e6 - 10), 1)} ms, ` +
        `max ${fmt(Math.max(0, generator.max / 1e6 - 10), 1)} ms`,
    );
    return { summary, prs: fixed.numbers };
  }

  /**
   * Review loops sent as fast as `--connections` clients go (closed loop). Also prints the CPU time per delivery of
   * the server process, of this process (load generator and GitHub mock) and of the local PostgreSQL processes.
   */
  private async maxThroughput(report: Report, server: BenchServer, label: string): Promise<{ summary: Summary; prs: number[] }> {
    const o = this.options;
    const max = this.loops(`${label.replace(/\W+/g, '-')}-${Date.now()}-max`, o.deliveries / 10);
    const before = { server: (await server.stats()).cpuMs, bench: process.cpuUsage(), postgres: postgresCpuMs() };
    const result = await closedLoop(this.target(server), max.deliveries, o.connections);
    const bench = process.cpuUsage(before.bench);
    const postgres = postgresCpuMs();
    const perDelivery = (ms: number) => fmt(ms / Math.max(1, result.deliveries), 3);
    const summary = report.load(`${label}, max (${o.connections} connections)`, result);
    report.add(
      `  CPU ms per delivery: server ${perDelivery((await server.stats()).cpuMs - before.server)}, bench ${perDelivery((bench.user + bench.system) / 1000)}` +
        (postgres !== null && before.postgres !== null ? `, local PostgreSQL ${perDelivery(postgres - before.postgres)}` : ''),
    );
    return { summary, prs: max.numbers };
  }

  async evaluations(report: Report, server: BenchServer): Promise<void> {
    const numbers = this.numbers(this.options.prs);
    const deliveries = numbers.flatMap((n) => openedPullRequest(`opened-${Date.now()}`, n));
    await server.stats(true);
    const budget = this.github.budget();
    const load = await closedLoop(this.target(server), deliveries, this.options.connections);
    report.load(`${numbers.length} pull requests opened at once`, load);
    const drained = await drain(server);
    const v = verify(this.github, numbers);
    const jobs = (await server.stats(true)).jobsMs.sort((a, b) => a - b);
    const total = (v.lastFinalWriteAt - load.startedAt) / 1000;
    const writing = (v.lastFinalWriteAt - v.firstWriteAt) / 1000;
    report.add(
      `every final check run written ${fmt(total, 2)} s after the first delivery (debounce ${process.env.EVALUATION_DEBOUNCE_MS ?? DEFAULT_DEBOUNCE_MS} ms): ` +
        `${v.evaluations} evaluations, ${fmt(v.evaluations / total)} evaluations/s; ${fmt(Math.max(0, v.evaluations - 1) / writing)}/s from the first check run to the last`,
    );
    report.add(`evaluation jobs: ${jobs.length}, p50 ${fmt(percentile(jobs, 0.5))} ms, p99 ${fmt(percentile(jobs, 0.99))} ms`);
    report.add(budgetLine(budget, this.github.budget()));
    report.checked('evaluations', v, drained);
  }

  async burst(report: Report, server: BenchServer): Promise<boolean> {
    const numbers = this.numbers(this.options.burstPrs);
    const gap = BURST.withinMs / BURST.deliveries;
    const plan = numbers.flatMap((n, p) =>
      synchronizeBurst(`burst-${Date.now()}`, n, BURST.deliveries).map((delivery, k) => ({
        atMs: k * gap + (p * gap) / numbers.length,
        delivery,
      })),
    );
    const budget = this.github.budget();
    const load = await scheduled(this.target(server), plan);
    report.load(`${numbers.length} PRs x ${BURST.deliveries} synchronize within ${BURST.withinMs / 1000} s`, load);
    const drained = await drain(server);
    const v = verify(this.github, numbers);
    const ok = v.maxEvaluations <= BURST.maxEvaluations;
    report.add(
      `coalescing: ${plan.length} deliveries -> ${v.evaluations} evaluations (ratio ${fmt(v.evaluations / plan.length, 3)}, ` +
        `${fmt(v.evaluations / numbers.length, 2)} per PR, at most ${v.maxEvaluations}); target at most ${BURST.maxEvaluations} per PR: ${verdict(ok)}`,
    );
    report.add(budgetLine(budget, this.github.budget()));
    report.checked('burst', v, drained);
    return ok;
  }

  /**
   * Job handling time without and with metrics recording, in ABBA rounds of review loops of open pull requests at
   * `--metrics-rate`, each round with a fresh server. The debounce is 0 (unless EVALUATION_DEBOUNCE_MS is set) so
   * that most deliveries get their own evaluation: more jobs to measure; a job's work does not depend on the
   * debounce. Also measured inside the "with" rounds: the time the jobs spent in the metrics sink's methods.
   * Output: the recording share of the mean job handling time.
   */
  async metricsShare(report: Report, store: Store): Promise<number> {
    const o = this.options;
    const mode = () => ({ jobs: [] as number[], acks: [] as number[], cpuMs: 0, deliveries: 0, sinkMs: {} as Record<string, number> });
    const byMode = { off: mode(), on: mode() };
    const debounce = process.env.EVALUATION_DEBOUNCE_MS ?? '0';
    const prs = Math.max(1, Math.round((o.metricsRate * o.metricsRoundS) / 8));
    const passIntervalS = Number(process.env.METRICS_RECOMPUTE_INTERVAL_S ?? DEFAULT_RECOMPUTE_INTERVAL_S);
    report.add(
      `metrics recording: ABBA rounds (off, on, on, off) of ${prs * 8} deliveries (review loops of open PRs, 8 each) ` +
        `at ${o.metricsRate}/s (${fmt((prs * 8) / o.metricsRate)} s), debounce ${debounce} ms, fresh server each; ` +
        `metrics pass every ${passIntervalS} s (METRICS_RECOMPUTE_INTERVAL_S) and after the round`,
    );
    // The earlier phases' servers stop before their metrics pass has stored everything they recorded; the first
    // "with" round's pass would store that backlog and count it as the round's. It is stored first, unmeasured.
    const settle = await startServer(this.github, { app: 'app', metrics: true, databaseUrl: store.databaseUrl, throttle: o.throttle });
    try {
      await settle.recompute();
      const leftMs = (await settle.stats(true)).sinkMs.recomputeStale ?? 0;
      report.add(
        `metrics pending from the earlier phases, stored before the rounds (not counted): ${fmt(leftMs / 1000, 2)} s of pass time`,
      );
    } finally {
      await settle.stop();
    }
    const budget = this.github.budget();
    for (const [index, mode] of (['off', 'on', 'on', 'off'] as const).entries()) {
      const server = await startServer(this.github, {
        app: 'app',
        metrics: mode === 'on',
        databaseUrl: store.databaseUrl,
        throttle: o.throttle,
        env: { EVALUATION_DEBOUNCE_MS: debounce },
      });
      try {
        const run = `metrics-${mode}-${index}-${Date.now()}`;
        const warm = await this.warmUp(server, run, 10);
        await drain(server);
        // The metrics of the warm-up's pull requests, so that the round's pass stores only the round's.
        await server.recompute();
        const before = await server.stats(true);
        const round = this.loops(run, prs, false);
        const load = await openLoop(this.target(server), round.deliveries, o.metricsRate);
        if (load.failed > 0)
          report.failures.push(
            `metrics round ${index + 1}: ${load.failed} deliveries failed ${JSON.stringify(load.statuses)} ${JSON.stringify(load.errors)}`,
          );
        const drained = await drain(server);
        // What the jobs queued for the metrics recomputation pass is stored now, inside the round: its time counts.
        await server.recompute();
        const after = await server.stats(true);
        const m = byMode[mode];
        m.jobs.push(...after.jobsMs);
        m.acks.push(...load.latenciesMs);
        m.cpuMs += after.cpuMs - before.cpuMs;
        m.deliveries += load.deliveries;
        for (const [name, ms] of Object.entries(after.sinkMs)) m.sinkMs[name] = (m.sinkMs[name] ?? 0) + ms;
        const v = verify(this.github, [...warm, ...round.numbers]);
        if (!drained || v.errors.length > 0) report.checked(`metrics round ${index + 1}`, v, drained);
        process.stderr.write(`  metrics round ${index + 1}/4 (${mode}): ${after.jobsMs.length} evaluation jobs\n`);
      } finally {
        await server.stop();
      }
    }
    // Review loops: many deliveries change nothing on the check run (labels, edits, comments).
    report.add(`review loops: ${budgetLine(budget, this.github.budget())}`);
    const stat = (m: (typeof byMode)['on']) => {
      const jobs = [...m.jobs].sort((a, b) => a - b);
      const acks = [...m.acks].sort((a, b) => a - b);
      return {
        jobs: jobs.length,
        totalMs: jobs.reduce((a, b) => a + b, 0),
        mean: jobs.reduce((a, b) => a + b, 0) / Math.max(1, jobs.length),
        p50: percentile(jobs, 0.5),
        p99: percentile(jobs, 0.99),
        ackP50: percentile(acks, 0.5),
        ackP99: percentile(acks, 0.99),
        cpuPerDelivery: m.cpuMs / Math.max(1, m.deliveries),
      };
    };
    const off = stat(byMode.off);
    const on = stat(byMode.on);
    report.add(`${''.padEnd(18)} eval jobs  mean ms   p50 ms   p99 ms  ack p50  ack p99  server CPU ms/delivery`);
    for (const [label, s] of [
      ['without metrics', off],
      ['with metrics', on],
    ] as const)
      report.add(
        `${label.padEnd(18)} ${String(s.jobs).padStart(9)} ${fmt(s.mean, 2).padStart(8)} ${fmt(s.p50, 2).padStart(8)} ${fmt(s.p99, 2).padStart(8)} ${fmt(s.ackP50, 2).padStart(8)} ${fmt(s.ackP99, 2).padStart(8)} ${fmt(s.cpuPerDelivery, 2).padStart(10)}`,
      );
    // The jobs record each evaluation as a pending row; the recomputation pass stores them and computes the figures
    // (in the rounds: on its timer and once after the drain). Its time is handling time of the evaluations: it is
    // added to theirs, spread over them.
    const passMs = byMode.on.sinkMs.recomputeStale ?? 0;
    const onHandling = on.mean + passMs / Math.max(1, on.jobs);
    const share = (onHandling - off.mean) / onHandling;
    const target = store.databaseUrl.startsWith('postgres')
      ? 'target (issue 7: on PostgreSQL)'
      : 'for information (the target is on PostgreSQL)';
    report.add(
      `recording share of job handling time (ABBA), the recomputation pass counted (${fmt(passMs / Math.max(1, on.jobs), 2)} ms per evaluation): ` +
        `mean ${fmt(share * 100)}%; ${target} under 20%: ${verdict(share < 0.2)}; ` +
        `evaluation jobs alone: mean ${fmt(((on.mean - off.mean) / on.mean) * 100)}%, p50 ${fmt(((on.p50 - off.p50) / on.p50) * 100)}%`,
    );
    // Measured directly, within the same jobs: immune to the round-to-round noise of the A/B comparison.
    const webhookSide = new Set(['recordDelivery', 'deliveryRow', 'observeDelivery', 'observeGitHubRequest', 'recomputeStale']);
    const inJobs = Object.entries(byMode.on.sinkMs).filter(([name]) => !webhookSide.has(name));
    const inJobsMs = inJobs.reduce((a, [, ms]) => a + ms, 0);
    report.add(
      `time inside the metrics sink during the jobs of the "with" rounds: ${fmt((inJobsMs / on.totalMs) * 100)}% of their handling time ` +
        `(${inJobs.map(([name, ms]) => `${name} ${fmt(ms / Math.max(1, on.jobs), 2)} ms/job`).join(', ') || 'none'}); ` +
        (byMode.on.sinkMs.recordDelivery === undefined
          ? `deliveryRow in the webhook request: ${fmt((byMode.on.sinkMs.deliveryRow ?? 0) / Math.max(1, byMode.on.deliveries), 3)} ms/delivery (the row is written in the statement that queues the jobs)`
          : `recordDelivery in the webhook request: ${fmt(byMode.on.sinkMs.recordDelivery / Math.max(1, byMode.on.deliveries), 2)} ms/delivery`),
    );
    report.add(
      `recording share of the server's CPU (includes recording each delivery in the webhook request): ${fmt(((on.cpuPerDelivery - off.cpuPerDelivery) / on.cpuPerDelivery) * 100)}%`,
    );
    return share;
  }

  /**
   * PostgreSQL: the same acknowledgement runs against the split deployment of docs/deployment.md: a web process that takes no
   * jobs (`QUEUE_CONCURRENCY=0`) receives every delivery, and a worker process on the same store (not sent any
   * delivery) runs the jobs. Both are the production wiring of bench/server.ts; the worker drains the queue between
   * and after the runs, and every check run is verified as in the other phases.
   */
  async split(report: Report, settings: Pick<ServerSettings, 'databaseUrl' | 'throttle'>, noop: Summary): Promise<void> {
    const o = this.options;
    const web = await startServer(this.github, { ...settings, app: 'app', metrics: true, env: { QUEUE_CONCURRENCY: '0' } });
    let worker: BenchServer | null = null;
    try {
      worker = await startServer(this.github, { ...settings, app: 'app', metrics: true });
      const prs = await this.warmUp(web, 'split', o.warmup / 10);
      await drain(web);
      const ours = await this.acknowledgement(report, web, 'ai-review, web process + worker process', true);
      const drained = await drain(web);
      const ratio = ours.max.rate / noop.rate;
      report.add(
        `split deployment (web process QUEUE_CONCURRENCY=0, one worker process): target p99 < 50 ms at ${o.rate}/s: ${verdict(ours.fixed.p99 < 50)} ` +
          `(${fmt(ours.fixed.p99, 2)} ms); max throughput >= 1/2 of the no-op app's: ${verdict(ratio >= 0.5)} (${fmt(ours.max.rate)}/s = ${fmt(ratio, 2)})`,
      );
      report.checked('split deployment runs', verify(this.github, [...prs, ...ours.prs]), drained);
    } finally {
      await worker?.stop();
      await web.stop();
    }
  }

  /** All phases on one store. */
  async store(store: Store): Promise<Report> {
    const o = this.options;
    const report = new Report();
    process.stdout.write(`\n== ${store.label} ==\n`);
    report.add(machine());
    const settings = { databaseUrl: store.databaseUrl, throttle: o.throttle };
    if (o.phases.has('ack')) {
      report.add(
        `${'webhook acknowledgement'.padEnd(58)} ${'sent'.padStart(6)} ${'failed'.padStart(6)} ${'rate'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
      );
      // Both apps run side by side, the one not measured idle: their maximum-throughput runs alternate in ABBA order,
      // so that drift in machine load hits both alike; the ratio is that of the medians.
      let noop: Summary;
      const baseline = await startServer(this.github, { ...settings, app: 'noop', metrics: false });
      let app: BenchServer | null = null;
      try {
        app = await startServer(this.github, { ...settings, app: 'app', metrics: true });
        await this.warmUp(baseline, 'noop', o.warmup / 10);
        const prs = await this.warmUp(app, 'ai-review', o.warmup / 10);
        await drain(app);
        // The metrics of the warm-up's pull requests, so that no backlog of them is computed during the runs.
        await app.recompute();
        await app.stats(true);
        // While the no-op app is measured, ai-review takes no jobs (its metrics timer only queues one).
        const noopRun = async <T>(measure: () => Promise<T>): Promise<T> => {
          await app!.workers(false);
          try {
            return await measure();
          } finally {
            await app!.workers(true);
          }
        };
        await noopRun(() => this.fixedRate(report, baseline, 'no-op Probot app'));
        const fixed = await this.fixedRate(report, app, 'ai-review');
        await drain(app);
        const runs = { noop: [] as Summary[], ours: [] as Summary[] };
        for (let round = 0; round < o.ackRounds; round++) {
          for (const which of round % 2 === 0 ? (['noop', 'ours'] as const) : (['ours', 'noop'] as const)) {
            if (which === 'noop') {
              runs.noop.push((await noopRun(() => this.maxThroughput(report, baseline, 'no-op Probot app'))).summary);
            } else {
              const max = await this.maxThroughput(report, app, 'ai-review');
              runs.ours.push(max.summary);
              prs.push(...max.prs);
              await drain(app);
            }
          }
        }
        noop = medianRate(runs.noop);
        const ours = medianRate(runs.ours);
        const before = (await app.stats(true)).sinkMs;
        const recording = before.recordDelivery ?? 0;
        const sent = fixed.summary.deliveries + runs.ours.reduce((n, r) => n + r.deliveries, 0);
        // The same without the jobs competing for the process: the cost of the webhook path alone.
        await app.workers(false);
        const alone = await this.acknowledgement(report, app, 'ai-review, webhook path only (workers paused)', false);
        const after = (await app.stats(true)).sinkMs;
        const recordingAlone = after.recordDelivery ?? 0;
        await app.workers(true);
        const drained = await drain(app);
        const ratio = ours.rate / noop.rate;
        const spread = (r: Summary[]) => r.map((x) => fmt(x.rate)).join(', ');
        report.add(`target p99 < 50 ms at ${o.rate}/s: ${verdict(fixed.summary.p99 < 50)} (${fmt(fixed.summary.p99, 2)} ms)`);
        report.add(
          `target max throughput >= 1/2 of the no-op app's: ${verdict(ratio >= 0.5)} (medians of ${o.ackRounds} alternated runs: ` +
            `${fmt(ours.rate)}/s [${spread(runs.ours)}] vs ${fmt(noop.rate)}/s [${spread(runs.noop)}] = ${fmt(ratio, 2)}; ` +
            `webhook path alone ${fmt(alone.max.rate)}/s = ${fmt(alone.max.rate / noop.rate, 2)})`,
        );
        // PostgreSQL: the delivery's metrics row goes in the queue's statement (JobQueue.addWithRow), not through recordDelivery.
        report.add(
          recording === 0 && recordingAlone === 0
            ? `metrics: each delivery row is written in the statement that queues its jobs (no separate insert); deriving it ` +
                `(deliveryRow) took ${fmt((before.deliveryRow ?? 0) / sent, 3)} ms per delivery ` +
                `(${fmt((after.deliveryRow ?? 0) / (alone.fixed.deliveries + alone.max.deliveries), 3)} ms with the workers paused)`
            : `metrics recordDelivery inside the webhook request: ${fmt(recording / sent, 2)} ms per delivery ` +
                `(${fmt(recordingAlone / (alone.fixed.deliveries + alone.max.deliveries), 2)} ms with the workers paused)`,
        );
        report.checked('acknowledgement runs', verify(this.github, [...prs, ...fixed.prs, ...alone.prs]), drained);
      } finally {
        await app?.stop();
        await baseline.stop();
      }
      // Web and worker instances share the work through PostgreSQL; with SQLite one process owns the file.
      if (store.databaseUrl.startsWith('postgres')) await this.split(report, settings, noop);
    }
    if (o.phases.has('evaluations') || o.phases.has('burst')) {
      const app = await startServer(this.github, { ...settings, app: 'app', metrics: true });
      try {
        const warm = await this.warmUp(app, 'evaluations');
        const drained = await drain(app);
        report.checked('warm-up', verify(this.github, warm), drained, false);
        if (o.phases.has('evaluations')) await this.evaluations(report, app);
        if (o.phases.has('burst')) await this.burst(report, app);
      } finally {
        await app.stop();
      }
    }
    if (o.phases.has('metrics')) await this.metricsShare(report, store);
    report.add(machine());
    return report;
  }
}

/** CPUs and load average, for the report: other work on the machine changes every figure. */
function machine(): string {
  const [one, five] = loadavg();
  return `machine: ${availableParallelism()} CPUs, load average ${fmt(one ?? 0, 2)} (1 min), ${fmt(five ?? 0, 2)} (5 min)`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const github = await startMockGitHub({ latencyMs: options.githubLatencyMs, appId: APP_ID });
  const bench = new Bench(options, github);
  process.stderr.write(
    `ai-review bench: ${options.deliveries} deliveries per acknowledgement run (review loops of 10, ${options.window} PRs active at once), ` +
      `GitHub mock latency ${options.githubLatencyMs} ms, Probot write throttling ${options.throttle ? 'on' : 'off'}\n`,
  );
  const base = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test_bench';
  const urls = options.databaseUrl ? [options.databaseUrl] : [undefined, base];
  const reports: Array<{ label: string; report: Report }> = [];
  try {
    for (const url of urls) {
      let store: Store;
      if (url && /^postgres(ql)?:\/\//i.test(url)) {
        try {
          store = await postgresStore(url);
        } catch (error) {
          // The default PostgreSQL may simply not exist here: skipped. One the user named must work.
          const problem = `PostgreSQL at ${new URL(url).host} not reachable: ${(error as Error).message}`;
          const report = new Report();
          if (options.databaseUrl || process.env.BENCH_DATABASE_URL) report.failures.push(problem);
          else process.stdout.write(`\n== PostgreSQL: skipped (${problem}) ==\n`);
          reports.push({ label: 'PostgreSQL', report });
          continue;
        }
      } else store = sqliteStore(url);
      try {
        reports.push({ label: store.label, report: await bench.store(store) });
      } finally {
        await store.cleanup();
      }
    }
  } finally {
    await github.stop();
  }
  const out: string[] = [''];
  let failed = false;
  for (const { label, report } of reports) {
    for (const f of report.failures) out.push(`ERROR ${label}: ${f}`);
    failed ||= report.failures.length > 0;
  }
  const gq = github.graphqlTiming();
  out.push(
    `GitHub mock: ${gq.requests} GraphQL answers (validated against GitHub's schema and executed in the bench process), ` +
      `mean ${fmt(gq.totalMs / Math.max(1, gq.requests), 2)} ms, max ${fmt(gq.maxMs, 1)} ms, ${fmt(gq.totalMs / 1000, 1)} s in all`,
  );
  out.push(failed ? 'FAILED (see the ERROR lines)' : 'all deliveries answered 2xx, all check runs correct');
  process.stdout.write(`${out.join('\n')}\n`);
  process.exitCode = failed ? 1 : 0;
}

await main();
