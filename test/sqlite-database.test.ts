/**
 * Which better-sqlite3 the app loads for a Node.js version (src/sqlite-database.ts), and that the loaded one opens a
 * database on the Node.js running the tests.
 */
import { createRequire } from 'node:module';
import { betterSqlite3Package, Database } from '../src/sqlite-database.js';

describe('better-sqlite3 for the running Node.js', () => {
  it('takes 12 before Node.js 22 and 13 from Node.js 22 on', () => {
    expect(betterSqlite3Package('20.20.2')).toBe('better-sqlite3');
    expect(betterSqlite3Package('21.7.3')).toBe('better-sqlite3');
    expect(betterSqlite3Package('22.0.0')).toBe('better-sqlite3-v13');
    expect(betterSqlite3Package('24.21.0')).toBe('better-sqlite3-v13');
    expect(betterSqlite3Package('26.1.0')).toBe('better-sqlite3-v13');
    expect(betterSqlite3Package('')).toBe('better-sqlite3-v13');
  });

  it('the two packages are the major versions the choice assumes', () => {
    const require = createRequire(import.meta.url);
    expect((require('better-sqlite3/package.json') as { version: string }).version).toMatch(/^12\./);
    expect((require('better-sqlite3-v13/package.json') as { version: string }).version).toMatch(/^13\./);
  });

  it('opens a database, and prepared statements that are dropped are collected without ending the process', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    // Each prepare makes a statement object that becomes garbage at once: what aborted better-sqlite3 12 on Node.js 24.
    for (let i = 0; i < 20_000; i++) db.prepare('INSERT INTO t (n) VALUES (?)').run(i);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 20_000 });
    db.close();
  });
});
