/**
 * Several processes opening the same NEW store at the same moment (two `ai-review` commands, two replicas
 * starting): both must migrate without error and end with one schema. Two real child processes per round, on
 * SQLite and on PostgreSQL, started together on a shared start time.
 *
 * The children run the store's code transpiled from src/ (TypeScript's transpileModule, no type check) into
 * node_modules/.cache, so they resolve the same packages as the tests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from './helpers.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/** Transpiles src/**\/*.ts into `out` (same layout, .js files). */
function transpile(out: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
    });
  for (const file of walk(path.join(root, 'src'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
}

const CHILD = `
import pino from 'pino';
const [, , url, startAt, id] = process.argv;
const { openStore } = await import('./src/metrics/store/open.js');
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
const store = await openStore({ databaseUrl: url, logger: pino({ level: 'silent' }) });
const res = await store.recordDelivery({ id: 'race-' + id, name: 'ping', payload: {}, receivedAt: new Date() });
await store.close();
process.stdout.write(res.status);
`;

let out: string;
beforeAll(() => {
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  out = mkdtempSync(path.join(cache, 'ai-review-race-'));
  transpile(out);
  writeFileSync(path.join(out, 'child.mjs'), CHILD);
}, 60_000);
afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Starts two children on the same store at the same moment; resolves their outputs. */
async function race(url: string): Promise<string[]> {
  const startAt = String(Date.now() + 700);
  const children = ['a', 'b'].map((id) =>
    run(process.execPath, [path.join(out, 'child.mjs'), url, startAt, id], { cwd: out, timeout: 30_000 }),
  );
  return (await Promise.all(children)).map((c) => c.stdout);
}

describe('migrations when two processes open a new store at once', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ai-review-race-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: both processes migrate the new file without error', async () => {
    for (let round = 0; round < 4; round += 1) {
      const file = path.join(dir, `store-${round}.sqlite`);
      expect(await race(`sqlite:${file}`)).toEqual(['recorded', 'recorded']);
    }
  }, 60_000);

  it(`PostgreSQL (${TEST_DATABASE_URL}): both processes migrate the new schema without error`, async () => {
    for (let round = 0; round < 3; round += 1) {
      const database: TestDatabase = await createTestDatabase('postgres');
      try {
        expect(await race(database.url)).toEqual(['recorded', 'recorded']);
      } finally {
        await database.drop();
      }
    }
  }, 60_000);
});
