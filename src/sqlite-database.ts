/**
 * The better-sqlite3 `Database` class for the Node.js that runs the app: better-sqlite3 13 on Node.js 22 and later
 * (the Docker image runs Node.js 24), better-sqlite3 12 on Node.js 20. The embedded store (src/metrics/store/open.ts)
 * and the embedded job queue (src/queue/sqlite.ts) open their SQLite files with it.
 *
 * Why two major versions:
 * - better-sqlite3 12 aborts the process on Node.js 24: when V8 collects a prepared statement, its destructor calls
 *   `node::RemoveEnvironmentCleanupHook` where Node.js finds no environment, and the assertion `(env) != nullptr`
 *   ends the process with SIGABRT (WiseLibs/better-sqlite3#1515, closed without a fix in 12). Measured on Node.js
 *   24.21.0 with 12.11.1: the benchmark's ai-review server aborted during its first acknowledgement run on SQLite, and
 *   the metrics test suites aborted under Jest.
 * - better-sqlite3 13 moved to node-addon-api, which fixes it, and declares Node.js >= 22; on Node.js 20 loading it
 *   crashes the process. With 13.2.0 on Node.js 24.21.0 the benchmark (`--quick`, SQLite) and the metrics and queue
 *   test suites (142 tests) pass.
 * Both are installed (`better-sqlite3-v13` is an npm alias of 13); only the one for the running Node.js is loaded.
 * Their API is the same for what this app uses (`prepare`, `run`, `get`, `all`, `exec`, `pragma`, `transaction`,
 * `close`), typed by `@types/better-sqlite3`.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/** The first Node.js major version on which better-sqlite3 13 is loaded. */
export const BETTER_SQLITE3_13_FROM_NODE = 22;

/**
 * The package to load for a Node.js version (`process.versions.node`, e.g. `24.21.0`): `better-sqlite3-v13` from
 * Node.js {@link BETTER_SQLITE3_13_FROM_NODE} on, otherwise `better-sqlite3` (12). Throws nothing; an unreadable
 * version counts as a current one.
 */
export function betterSqlite3Package(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-v13' {
  const major = Number.parseInt(nodeVersion.split('.')[0] ?? '', 10);
  return Number.isFinite(major) && major < BETTER_SQLITE3_13_FROM_NODE ? 'better-sqlite3' : 'better-sqlite3-v13';
}

/** better-sqlite3's `Database` class (`new Database(file, options)`), from the package {@link betterSqlite3Package} names. */
export const Database = createRequire(import.meta.url)(betterSqlite3Package(process.versions.node)) as typeof BetterSqlite3;
