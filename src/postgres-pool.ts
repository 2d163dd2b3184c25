/**
 * PostgreSQL connection pools (node-postgres) for the metrics store and the job queue, with named prepared
 * statements: a parameterised statement is sent under a name derived from its text, so PostgreSQL parses and
 * plans it once per connection instead of on every call ("PREPARE" in PostgreSQL's docs; node-postgres sends
 * a query with a `name` as a prepared statement and reuses it on that connection). Measured on the metrics
 * store's evaluation recording: 7.2 → 5.5 ms per call (test/metrics/roundtrips.test.ts, `ROUNDTRIPS_TIMING=1`).
 *
 * Turned off with `preparedStatements: false` (`DATABASE_PREPARED_STATEMENTS=false`), for a connection pooler
 * in transaction mode that does not track prepared statements (PgBouncer before 1.21, or without
 * `max_prepared_statements`): then every statement is sent unnamed, as node-postgres does by default.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Named statements kept per connection at most; further distinct texts are sent unnamed. Each prepared statement
 * holds its parse tree and plan in the PostgreSQL backend's memory for the connection's life. Measured over the
 * benchmark's burst and metrics phases (every connection together): 104 distinct texts in 8,862 executions, most of
 * the texts run rarely (lists of varying length); this bounds what a larger variety could cost.
 */
export const MAX_PREPARED_PER_CONNECTION = 200;
/** Texts longer than this (characters) are sent unnamed: large generated statements rarely repeat. */
const MAX_PREPARED_TEXT = 20_000;
/** Names by statement text, shared by all connections (the name is a pure function of the text); at most
 * {@link MAX_NAMES} texts are kept (≤ 20 MB however long they are), then the cache starts over. */
const names = new Map<string, string>();
const MAX_NAMES = 1_000;

/** PostgreSQL's "cached plan must not change result type": a prepared `SELECT *` after a column was added. */
const isStalePlan = (error: unknown) =>
  error instanceof Error && (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(error.message);

/**
 * Identifies the database a connection string names, to tell whether two stores opened from it share one database
 * (the job queue and the metrics store, src/github/app.ts). Output: 32 hex characters of its SHA-256, never the
 * string itself, which may hold a password.
 */
export function databaseId(connectionString: string): string {
  return createHash('sha256').update(connectionString).digest('hex').slice(0, 32);
}

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `ai_review_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return name;
}

/** A node-postgres client that names its parameterised statements (see module docs). */
class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();
  /** Statements whose prepared plan went stale (see `isStalePlan`): sent unnamed from then on. */
  private readonly unnamed = new Set<string>();

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = super.query.bind(this) as (...args: unknown[]) => unknown;
    // `query(text, values)` and `query(text, values, callback)` (pg-pool's `pool.query`) are named; other forms
    // (a config object, a text without values) pass through as they are.
    (this as { query: unknown }).query = (...args: unknown[]) => {
      const [text, values, callback] = args;
      const named =
        typeof text === 'string' &&
        Array.isArray(values) &&
        text.length <= MAX_PREPARED_TEXT &&
        (args.length === 2 || (args.length === 3 && typeof callback === 'function'));
      const name = named ? this.nameFor(text) : null;
      if (name === null) return query(...args);
      // A schema change (a migration by a newer replica) can invalidate a prepared statement's result type: the
      // statement is then sent unnamed from now on (PostgreSQL replans prepared statements itself otherwise).
      if (typeof callback === 'function') {
        const done = callback as (error: unknown, result?: unknown) => void;
        return query({ name, text, values }, (error: unknown, result: unknown) => {
          if (!isStalePlan(error)) return done(error, result);
          this.unnamed.add(name);
          query(text, values, done);
        });
      }
      return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
        if (!isStalePlan(error)) throw error;
        this.unnamed.add(name);
        return query(text, values);
      });
    };
  }

  /** The name to send `text` under on this connection, or null to send it unnamed. */
  private nameFor(text: string): string | null {
    const name = statementName(text);
    if (this.unnamed.has(name)) return null;
    if (!this.prepared.has(name)) {
      if (this.prepared.size >= MAX_PREPARED_PER_CONNECTION) return null;
      this.prepared.add(name);
    }
    return name;
  }
}

/** Options of {@link createPool}. */
export interface PoolOptions {
  connectionString: string;
  /** Connections at most (node-postgres default 10). */
  max?: number;
  /** ms to wait for a connection before failing (node-postgres default: wait for ever). */
  connectionTimeoutMillis?: number;
  /** Named prepared statements (default true); see module docs. */
  preparedStatements?: boolean;
  /**
   * Called with each error a connection reports (a server restart, a dropped connection), whether it was idle in
   * the pool or checked out (then its pending query also rejects). A dropped connection may report more than one.
   * Without a listener node-postgres would raise it as an unhandled `error` event and end the process.
   */
  onError: (error: Error) => void;
}

/**
 * A node-postgres pool whose clients use named prepared statements unless `preparedStatements` is false, with
 * `onError` listening on the pool and on each client it connects (graphile-worker asks for both on a pool it is given:
 * https://err.red/wpeh).
 */
export function createPool(options: PoolOptions): pg.Pool {
  const { preparedStatements = true, onError, ...config } = options;
  const pool = new pg.Pool({ ...config, ...(preparedStatements ? { Client: PreparingClient } : {}) });
  pool.on('connect', (client) => client.on('error', onError));
  // pg-pool re-emits an idle client's error on the pool, which the client's listener above has already reported.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Reads `DATABASE_PREPARED_STATEMENTS` (`true`/`false`, `1`/`0`; unset: true). Throws on any other value, so
 * that a typo does not silently keep prepared statements behind a transaction-mode pooler.
 */
export function preparedStatementsFromEnv(env: NodeJS.ProcessEnv): boolean {
  const raw = env.DATABASE_PREPARED_STATEMENTS?.trim().toLowerCase();
  if (raw === undefined || raw === '') return true;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`DATABASE_PREPARED_STATEMENTS must be true or false, not ${JSON.stringify(env.DATABASE_PREPARED_STATEMENTS)}`);
}
