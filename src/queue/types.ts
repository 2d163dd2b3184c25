/**
 * The durable job queue behind the webhook handlers: what the app asks of it, whatever engine runs it
 * (graphile-worker on PostgreSQL, an in-process queue persisted in the SQLite file otherwise).
 *
 * Semantics shared by both engines (and tested by one suite against both, test/queue/queue.test.ts):
 * - A job with a `key` coalesces: while a job with that key is pending (not yet running), adding another one
 *   updates it instead of adding a second (`debounce`: keeps the pending job's run time; `replace`: takes the
 *   new run time). A job with that key that is already running does not absorb it: a follow-up job is added.
 * - Jobs with the same `queue` run one at a time, across every process sharing the store.
 * - Jobs survive restarts: a job that was running when its process died runs again after a restart
 *   (SQLite: at start-up; PostgreSQL: when another instance sees the dead worker's heartbeat go stale).
 * - A handler that throws {@link RetryLater} is rescheduled at the time it names (not counted as a failure);
 *   any other error is retried by the engine with exponential backoff (at most {@link MAX_ATTEMPTS} attempts).
 */

/** JSON-serialisable job payload. */
export type JobPayload = Record<string, unknown>;

/** One unit of work. */
export interface JobSpec {
  /** Handler name, e.g. `evaluate-pull-request`. */
  task: string;
  payload: JobPayload;
  /** Coalescing key (see module docs). */
  key?: string;
  /** How a pending job with the same key is updated: `debounce` keeps its run time (default), `replace` takes this one's. */
  keyMode?: 'debounce' | 'replace';
  /** Serialization: jobs with the same queue name never run at the same time. */
  queue?: string;
  /** Earliest run time (default: now). */
  runAt?: Date;
  /**
   * Order among due jobs: a lower number runs first (default 0), then the earlier run time. A pending job with the
   * same key takes the priority of the latest add (graphile-worker's rule, kept on SQLite too). On PostgreSQL the
   * order holds between fetches of graphile-worker's local queue (up to `concurrency + 1` jobs each), not within one:
   * the jobs of one fetch start in the order of their named queues' creation.
   */
  priority?: number;
  /**
   * Pipeline state to store with the job, in the same statement or transaction (the webhook path), keyed by `key`:
   * as {@link PipelineState.flagReviewRequest} and {@link PipelineState.recordPush} would. Ignored without a key.
   */
  state?: { reviewRequestAt?: Date; push?: PushRecord };
}

/** A push onto a PR's head branch: who pushed which head, and whether the pusher is automated (a bot or an agent). */
export interface PushRecord {
  headSha: string;
  pusherLogin: string;
  automated: boolean;
  at: Date;
}

/** What `add` did: `coalesced` is true when an existing pending job absorbed this one. */
export interface AddResult {
  coalesced: boolean;
}

/**
 * A row stored in the same write as one delivery's jobs ({@link JobQueue.addWithRow}), idempotent on `key`: e.g.
 * the metrics store's delivery row. `table` must be in the queue's database and search path; `values` holds every
 * column of the table by name (a missing one is stored as NULL) and, under `key`, the row's unique key.
 */
export interface KeyedRow {
  table: string;
  key: string;
  values: Record<string, unknown>;
}

/** What a handler learns about the job it runs. */
export interface JobInfo {
  id: string;
  task: string;
  key: string | null;
  queue: string | null;
  /** 1 on the first run. Engine retries (unexpected errors) count; {@link RetryLater} reschedules do not. */
  attempt: number;
  /** When the job was first added (ms since epoch), for the age of work. */
  createdAt: number;
}

/** Runs one job. Resolve: done. Throw {@link RetryLater}: run again at its time. Throw anything else: engine retry. */
export type JobHandler = (payload: JobPayload, info: JobInfo) => Promise<void>;

/** Queue depth for observability and readiness. */
export interface QueueStats {
  /** Jobs waiting (due or scheduled later), not running. */
  pending: number;
  /** Jobs running now (all processes). */
  running: number;
  /** Age in seconds of the oldest job that is due and not running, or null when none is due. */
  oldestDueAgeSeconds: number | null;
}

/** What {@link PipelineState.readJobState} reads. */
export interface JobStateQuery {
  /** The job's key (a PR's key for evaluations): its failures, review-request flag and pushes. */
  key: string;
  /** The installation whose primary rate limit may be exhausted. */
  installationId: number;
  /** A check-run key (`owner/repo@sha`, as `checkRunFor`) whose stored check run to read; none when omitted. */
  checkRunKey?: string;
  /** The time the rate-limit block is compared with. */
  now: Date;
}

/** The pipeline state a job starts from. */
export interface JobState {
  /** When the installation's exhausted primary rate limit resets (later than `now`), or null when not known exhausted. */
  installationBlockedUntil: Date | null;
  /** Transient failures recorded under the key and not cleared (0: none). */
  failures: number;
  /** Whether {@link PipelineState.flagReviewRequest} was called for the key and not cleared. */
  reviewRequestFlagged: boolean;
  /** The pushes recorded for the key (as in `recordPush`), oldest first, at most the 250 latest; `at` is ISO 8601. */
  pushes: Array<{ headSha: string; pusherLogin: string; automated: boolean; at: string }>;
  /** The stored check run under `checkRunKey` (as `checkRunFor`), or null (also when no key was asked for). */
  checkRun: { id: number; outputHash: string } | null;
}

/** Small shared state the pipeline keeps next to its jobs (same database). */
export interface PipelineState {
  /**
   * Records a transient failure of the work under `key` and returns when the failures began and how many there
   * were (including this one). Input `now`: the failure time.
   */
  recordFailure(key: string, now: Date): Promise<{ firstFailureAt: Date; failures: number }>;
  /** Forgets the failures of `key` (after a success, or after the failure was reported). */
  clearFailures(key: string): Promise<void>;
  /**
   * Notes that the pull request under `key` may be asked for reviews at its next evaluation (an opening or push
   * event) at `now`. A flag keeps the latest time it was given, whatever the order the writes arrive in (two replicas'
   * writes may commit out of order), so that {@link PipelineState.clearReviewRequest} never clears a flag set after the job began.
   */
  flagReviewRequest(key: string, now: Date): Promise<void>;
  /** Clears the flag of `key` if it was set at or before `before` (a flag set during the evaluation stays). */
  clearReviewRequest(key: string, before: Date): Promise<void>;
  /** The `ai-review` check run this app keeps on a head SHA (`key`: `owner/repo@sha`, lower case), or null. */
  checkRunFor(key: string): Promise<{ id: number; outputHash: string } | null>;
  /** Remembers the check run on a head SHA and a hash of what it shows, after a write. */
  saveCheckRun(key: string, id: number, outputHash: string, now: Date): Promise<void>;
  /**
   * Records a push to a PR's head branch (`key`: the PR's job key), as the `pull_request` `opened`/`synchronize`
   * delivery reported it: head SHA after the push, who pushed, whether a bot, when. Idempotent per head SHA.
   */
  recordPush(key: string, push: PushRecord): Promise<void>;
  /** Marks an installation's primary rate limit as exhausted until `until` (from `x-ratelimit-reset`). */
  blockInstallation(installationId: number, until: Date): Promise<void>;
  /**
   * Everything a job reads from this state before its work, at once (one statement on PostgreSQL, where each
   * statement is a round trip that a job pays for): see {@link JobStateQuery} and {@link JobState}.
   */
  readJobState(query: JobStateQuery): Promise<JobState>;
  /** Claims the redelivery of a delivery `guid`: true the first time (across all processes), false afterwards. */
  claimRedelivery(guid: string, now: Date): Promise<boolean>;
  /**
   * Runs `fn` while holding the named lock, if no other process holds it. Output: `fn`'s result, or null when
   * the lock was taken elsewhere (`fn` did not run).
   */
  withExclusiveLock<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
}

/** The queue engine. */
export interface JobQueue {
  readonly kind: 'sqlite' | 'postgres';
  readonly state: PipelineState;
  /** Adds (or coalesces) a job. Throws when the store cannot be written: the webhook must then not be acknowledged. */
  add(spec: JobSpec): Promise<AddResult>;
  /**
   * PostgreSQL only: adds one delivery's jobs (none is allowed) and inserts `row` in the same statement, unless a
   * row with its key is stored already (`duplicate`). Resolves per spec as `add` does, in order. Throws when the
   * store cannot be written: then neither the jobs nor the row are stored.
   */
  addWithRow?(specs: readonly JobSpec[], row: KeyedRow): Promise<{ jobs: AddResult[]; row: 'inserted' | 'duplicate' }>;
  /**
   * Identifies the database the queue writes to (a hash of its connection string, PostgreSQL only): a
   * {@link KeyedRow} can be stored with the jobs when its table's store has the same id.
   */
  readonly databaseId?: string;
  /** Starts taking jobs, `concurrency` at a time in this process. */
  start(handlers: Record<string, JobHandler>, options?: { concurrency?: number }): Promise<void>;
  /**
   * Stops taking jobs; waits up to `graceMs` for running ones, then returns the rest to the queue (they run again,
   * here after a restart or in another instance). Resolves when done.
   */
  stop(graceMs?: number): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Throws when the store does not answer (readiness). */
  ping(): Promise<void>;
  /** Stops (if started) and closes the connections. */
  close(): Promise<void>;
}

/** Engine retries of a job that throws an unexpected error, before it is given up (and logged). */
export const MAX_ATTEMPTS = 10;

/** Engine backoff for unexpected errors: 2^attempt seconds, capped at 60 s. Output in ms. */
export function engineBackoffMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
}

/** Thrown by a handler to run the same job again at `runAt` (e.g. after a GitHub `retry-after`). */
export class RetryLater extends Error {
  constructor(
    readonly runAt: Date,
    readonly reason: string,
  ) {
    super(`retry at ${runAt.toISOString()}: ${reason}`);
    this.name = 'RetryLater';
  }
}
