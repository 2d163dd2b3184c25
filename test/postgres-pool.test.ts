/**
 * src/postgres-pool.ts against the PostgreSQL at TEST_DATABASE_URL: parameterised statements become named
 * prepared statements (PostgreSQL's `pg_prepared_statements` lists them), once per connection; turned off they
 * are not; a prepared `SELECT *` whose table gained a column is answered anyway and sent unnamed afterwards; a dropped
 * connection reaches `onError` instead of ending the process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createPool, preparedStatementsFromEnv } from '../src/postgres-pool.js';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pp_${Math.random().toString(36).slice(2, 10)}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The prepared statements of this pool's one connection (PostgreSQL's view of the session). */
async function preparedOn(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY statement');
  return rows.map((r) => r.statement);
}

describe('createPool', () => {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pools: pg.Pool[] = [];
  const open = (preparedStatements?: boolean) => {
    const pool = createPool({
      connectionString: url.toString(),
      max: 1,
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
      onError: () => undefined,
    });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id int PRIMARY KEY, name text)`);
    await admin(`INSERT INTO ${schema}.items VALUES (1, 'one'), (2, 'two')`);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end().catch(() => undefined);
    await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('prepares a parameterised statement once per connection and reuses it', async () => {
    const pool = open();
    const select = 'SELECT name FROM items WHERE id = $1';
    expect((await pool.query(select, [1])).rows).toEqual([{ name: 'one' }]);
    expect((await pool.query(select, [2])).rows).toEqual([{ name: 'two' }]);
    // The statement without parameters (the view query itself) is sent unnamed.
    expect(await preparedOn(pool)).toEqual([select]);
  });

  it('sends every statement unnamed when turned off', async () => {
    const pool = open(false);
    expect((await pool.query('SELECT name FROM items WHERE id = $1', [1])).rows).toEqual([{ name: 'one' }]);
    expect(await preparedOn(pool)).toEqual([]);
  });

  it('answers a prepared SELECT * whose table gained a column, and sends it unnamed from then on', async () => {
    const pool = open();
    const select = 'SELECT * FROM items WHERE id = $1';
    expect((await pool.query(select, [1])).rows).toEqual([{ id: 1, name: 'one' }]);
    await admin(`ALTER TABLE ${schema}.items ADD COLUMN size int`);
    expect((await pool.query(select, [1])).rows).toEqual([{ id: 1, name: 'one', size: null }]);
    expect((await pool.query(select, [2])).rows).toEqual([{ id: 2, name: 'two', size: null }]);
  });

  it('hands the errors of dropped connections, idle or checked out, to onError instead of crashing', async () => {
    const errors: string[] = [];
    const pool = createPool({ connectionString: url.toString(), max: 2, onError: (e) => errors.push(e.message) });
    pools.push(pool);
    const held = await pool.connect();
    const idle = await pool.connect();
    const pids = await Promise.all(
      [held, idle].map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid),
    );
    idle.release();
    await admin(`SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[${pids.join(',')}]) AS pid`);
    // Neither connection runs a query when it is terminated, so each learns of its end from its own socket, as an
    // error event, at a moment of its own: wait for both (bounded) before querying. (A query sent on the checked-out
    // connection before its socket reported the end would take the error instead: the CI run of df08cfe.)
    for (let waited = 0; errors.length < 2 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);
    expect(errors.some((m) => /terminat/i.test(m))).toBe(true);
    // The pool replaces the dropped connections.
    expect((await pool.query('SELECT name FROM items WHERE id = $1', [1])).rows).toEqual([{ name: 'one' }]);
  });

  it('reads DATABASE_PREPARED_STATEMENTS: on unless false or 0, and refuses anything else', () => {
    expect(preparedStatementsFromEnv({})).toBe(true);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: 'true' })).toBe(true);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: 'False' })).toBe(false);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: '0' })).toBe(false);
    expect(() => preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(
      'DATABASE_PREPARED_STATEMENTS must be true or false, not "off"',
    );
  });
});
