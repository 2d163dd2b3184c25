/**
 * The metrics pass alone, without load (`npm run bench:pass`): on PostgreSQL, `--prs N` pull requests (100), each
 * with the review loop of bench/deliveries.ts left open (8 deliveries, recorded as the webhook path records them:
 * pending) and one evaluation queued per delivery (as the jobs queue them), then one `recomputeStale`, timed; three
 * rounds (`--rounds N`) on new pull requests of the same store, so that the last ones run warm.
 *
 * Prints per round: PRs recomputed, wall time per evaluation (ms), statements sent (BEGIN and COMMIT included) per
 * PR, and the process's CPU time. `--database-url URL` (default BENCH_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test_bench): the pass runs in a fresh schema, dropped afterwards.
 */
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { createPool } from '../src/postgres-pool.js';
import { MetricsStore } from '../src/metrics/store.js';
import { migrateToLatest, type MetricsDatabase } from '../src/metrics/schema.js';
import type { DeliveryRecord, EvaluationRecord } from '../src/metrics/sink.js';
import { REPO, reviewLoop } from './deliveries.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const prs = Number(option('prs') ?? 100);
const rounds = Number(option('rounds') ?? 3);
const base = option('database-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test_bench';
const schema = `ai_review_pass_${process.pid}`;

const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
const url = new URL(base);
url.searchParams.set('options', `-c search_path=${schema}`);
const pool = createPool({
  connectionString: url.toString(),
  max: 4,
  onError: (error) => process.stderr.write(`bench pass: PostgreSQL connection error: ${error.message}\n`),
});
let sent = 0;
pool.on('connect', (client) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    sent++;
    return query(...args);
  };
});
const db = new Kysely<MetricsDatabase>({ dialect: new PostgresDialect({ pool }) });
await migrateToLatest(db, 'postgres');
const store = new MetricsStore(db, 'postgres', pino({ level: 'silent' }));
const repository = `${REPO.owner}/${REPO.name}`;

try {
  let clock = Date.parse('2026-03-02T10:00:00Z');
  process.stdout.write(`metrics pass without load: ${prs} PRs per round, a review loop of 8 deliveries and 8 queued evaluations each\n`);
  for (let round = 0; round < rounds; round++) {
    const pending: Array<{ delivery: DeliveryRecord; number: number; headSha: string }> = [];
    for (let n = 1; n <= prs; n++) {
      const number = round * 100_000 + n;
      for (const d of reviewLoop(`pass-${round}`, number, false)) {
        const payload = JSON.parse(d.body) as { pull_request?: { head?: { sha?: string } } };
        pending.push({
          delivery: { id: d.id, name: d.name, payload, receivedAt: new Date((clock += 10)) },
          number,
          headSha: payload.pull_request?.head?.sha ?? 'unknown',
        });
      }
    }
    await store.storeDeliveries(pending.map((p) => p.delivery));
    for (const p of pending) await store.queueEvaluation(evaluationOf(p.delivery.id, p.number, p.headSha, clock), new Date(clock));
    const statements = sent;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { recomputed } = await store.recomputeStale(prs * 2);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    process.stdout.write(
      `round ${round + 1}: ${recomputed} PRs, ${(ms / pending.length).toFixed(2)} ms per evaluation, ` +
        `${((sent - statements) / prs).toFixed(1)} statements per PR, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms\n`,
    );
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}

/** An evaluation of an agent PR as a job queues it (the values do not change the pass's work). */
function evaluationOf(deliveryId: string, pullNumber: number, headSha: string, at: number): EvaluationRecord {
  return {
    deliveryId,
    repository,
    pullNumber,
    headSha,
    authorship: {
      class: 'agent',
      agent: 'copilot',
      confidence: 'high',
      humanOfRecord: 'alice',
      agentCommitShare: 1,
      agentCommitShas: [],
      reasons: [],
    },
    sensitiveGroups: ['ci'],
    changedFiles: 3,
    additions: 40,
    deletions: 2,
    conclusion: 'action_required',
    failingRules: ['security-review'],
    gateSatisfied: false,
    qualifyingApprovals: [],
    requiredReviewers: ['bob'],
    override: null,
    commits: [{ sha: headSha, agent: true, authorLogin: 'copilot-swe-agent[bot]', committedAt: null }],
    durationMs: 20,
    evaluatedAt: new Date(at),
  };
}
