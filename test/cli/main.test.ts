/**
 * `ai-review` entry point (src/cli/main.ts): `--version`, and how every failure ends: one line on stderr naming the
 * command, exit code 2 for usage errors (ours and commander's) and 1 for the rest, the stack only with `--debug`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { buildProgram, runCli } from '../../src/cli/main.js';
import { openStore } from '../../src/metrics/index.js';
import { pino } from 'pino';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

async function run(args: string[], program?: Command, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env };
  const code = await runCli(['node', 'ai-review', ...args], io, program ?? buildProgram());
  return { code, stdout, stderr };
}

/** A program whose `fail` command throws `error`. */
function failing(error: unknown): Command {
  const program = buildProgram();
  program.command('fail').action(() => {
    throw error;
  });
  return program;
}

function expectOneLine(stderr: string, start: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(start)).toBe(true);
}

describe('version and help', () => {
  it.each([['--version'], ['-V']])('%s prints the version of package.json and exits 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/classify[\s\S]*report[\s\S]*backfill/);
    expect(stdout).toContain('--debug');
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: ai-review');
  });
});

describe("commander's usage errors: one line, exit 2", () => {
  it.each([
    [['frobnicate'], "ai-review: unknown command 'frobnicate'"],
    [['--bogus'], "ai-review: unknown option '--bogus'"],
    [['report', '--bogus'], "ai-review report: unknown option '--bogus'"],
    [['report', '--since', 'banana'], 'ai-review report: invalid --since "banana": use a duration (30d, 12h, 2w) or a date'],
    [['report', '--format', 'xml'], "ai-review report: option '--format <format>' argument 'xml' is invalid."],
    [['backfill'], 'ai-review backfill: name repositories (owner/name), --org NAME or --installation [ID]'],
  ])('%j', async (args, start) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expectOneLine(stderr, start);
  });
});

describe('errors thrown by a command', () => {
  it('a UsageError exits 2 with its message', async () => {
    const { code, stderr } = await run(['fail'], failing(new UsageError('line 3 is not a pull request')));
    expect(code).toBe(2);
    expect(stderr).toBe('ai-review fail: line 3 is not a pull request\n');
  });

  it('a CliError exits 1 with its message', async () => {
    const { code, stderr } = await run(['fail'], failing(new CliError('cannot reach the metrics store at postgres://db:5432/x')));
    expect(code).toBe(1);
    expect(stderr).toBe('ai-review fail: cannot reach the metrics store at postgres://db:5432/x\n');
  });

  it('a GitHub 401 exits 1 with one line naming the status, no stack', async () => {
    const error = Object.assign(new Error('Bad credentials - https://docs.github.com/rest'), { name: 'HttpError', status: 401 });
    const { code, stderr } = await run(['fail'], failing(error));
    expect(code).toBe(1);
    expect(stderr).toBe('ai-review fail: GitHub answered HTTP 401: Bad credentials - https://docs.github.com/rest\n');
  });

  it('an unexpected error with a multi-line message still gives one line', async () => {
    const { code, stderr } = await run(['fail'], failing(new Error('first\n  second\nthird')));
    expect(code).toBe(1);
    expect(stderr).toBe('ai-review fail: first second third\n');
  });

  it('--debug (before or after the command) and AI_REVIEW_DEBUG=1 add the stack and its cause after the line', async () => {
    const error = new CliError('store unreachable', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    for (const [args, env] of [
      [['--debug', 'fail'], {}],
      [['fail', '--debug'], {}],
      [['fail'], { AI_REVIEW_DEBUG: '1' }],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const { code, stderr } = await run(args, failing(error), env);
      expect(code).toBe(1);
      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('ai-review fail: store unreachable');
      expect(lines[1]).toBe('CliError: store unreachable');
      expect(lines.some((l) => /^\s+at /.test(l))).toBe(true);
      expect(stderr).toContain('caused by:\nError: connect ECONNREFUSED 127.0.0.1:1');
    }
  });
});

describe('real commands on failure', () => {
  const saved = process.env.DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('report with an unreachable store: one line, exit 1, within seconds', async () => {
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/none';
    const started = Date.now();
    const { code, stdout, stderr } = await run(['report']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expectOneLine(stderr, 'ai-review report: ');
    expect(stderr).toContain('ECONNREFUSED');
  });

  it('report on an empty store prints the report and exits 0 (the quickstart runs it this way, after the app made the store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
    try {
      process.env.DATABASE_URL = `sqlite:${join(dir, 'metrics.sqlite')}`;
      // The running app created the store; `report` refuses to create one (issue 10).
      await (await openStore({ databaseUrl: process.env.DATABASE_URL, logger: pino({ level: 'silent' }) })).close();
      // Commands write their output to process.stdout.
      let printed = '';
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed += chunk.toString();
        return true;
      });
      const { code, stderr } = await run(['report', '--since', '30d', '--format', 'markdown']).finally(() => write.mockRestore());
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(printed).toMatch(/^\|.*\|$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report with a DATABASE_URL it cannot use: one line, exit 1', async () => {
    process.env.DATABASE_URL = 'mysql://db/x';
    const { code, stderr } = await run(['report']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'ai-review report: DATABASE_URL must start with postgres:// or sqlite: (or be unset for ./data/ai-review.sqlite)\n',
    );
  });
});
