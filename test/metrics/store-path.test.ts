/** Where `DATABASE_URL` puts the SQLite store (src/metrics/store/open.ts `sqlitePath`). */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { sqlitePath } from '../../src/metrics/store/open.js';

describe('sqlitePath', () => {
  it('keeps an in-memory store in memory, written either way (the job queue reads `sqlite::memory:` alike)', () => {
    expect(sqlitePath(':memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
  });

  it('resolves a file against the working directory, with or without //', () => {
    expect(sqlitePath('sqlite:data/x.sqlite')).toBe(path.resolve('data/x.sqlite'));
    expect(sqlitePath('sqlite:///tmp/x.sqlite')).toBe('/tmp/x.sqlite');
  });

  it('defaults to ai-review.sqlite in the data directory, and leaves PostgreSQL alone', () => {
    expect(sqlitePath(undefined, '/srv/data')).toBe('/srv/data/ai-review.sqlite');
    expect(sqlitePath('postgres://db/ai')).toBeNull();
    expect(() => sqlitePath('mysql://db/ai')).toThrow('DATABASE_URL must start with postgres:// or sqlite:');
  });
});
