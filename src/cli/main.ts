#!/usr/bin/env node
/**
 * `ai-review` command line: one program, one subcommand per module (`classify`, `report`, `backfill`). Each
 * subcommand module exports `register(program)`; this file wires them together and decides how the process ends.
 *
 * Every failure ends with ONE line on stderr, `ai-review <command>: <message>` (src/cli/errors.ts), and exit code 2
 * for usage errors (commander's own: unknown option or command, missing or invalid argument; and `UsageError`) or 1
 * for anything else (unreachable store or API, bad credentials). `--debug` (or `AI_REVIEW_DEBUG=1`) adds the stack.
 * `--version` prints the version, `--help` the usage; both exit 0.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { appVersion } from '../version.js';
import { register as registerBackfill } from './backfill.js';
import { register as registerClassify } from './classify.js';
import { describeCliError, UsageError } from './errors.js';
import { register as registerReport } from './report.js';
import { register as registerSimulate } from './simulate.js';
import { register as registerValidate } from './validate.js';

/** Where the command line writes, and the environment it reads `AI_REVIEW_DEBUG` from. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** The `ai-review` program with its subcommands, global options `--debug` and `--version`. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ai-review')
    .description('Review gates and review metrics for pull requests written by AI coding agents')
    .version(appVersion(), '-V, --version', 'print the version')
    .option('--debug', 'when a command fails, print the stack as well');
  registerClassify(program);
  registerReport(program);
  registerBackfill(program);
  registerValidate(program);
  registerSimulate(program);
  return program;
}

/**
 * Runs the command line. Input: `argv` as `process.argv` (node, script, arguments...), where to write, and the program
 * (tests pass their own). Output: the exit code (0, 1 or 2; or the code a command set in `process.exitCode`). Never
 * throws.
 */
export async function runCli(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  program = buildProgram(),
): Promise<number> {
  let command = '';
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: () => {},
    });
  }
  program.hook('preAction', (_program, action) => {
    command = action.name();
  });
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (caught) {
    let error = caught;
    if (caught instanceof CommanderError) {
      // --help and --version end with exit code 0; a missing command prints the usage (on stderr) and ends with 2.
      if (caught.exitCode === 0) return 0;
      if (caught.code === 'commander.help' || caught.code === 'commander.helpDisplayed') return 2;
      error = new UsageError(caught.message.replace(/^error: /, ''), { cause: caught });
      command ||= subcommandIn(argv, program);
    }
    const { line, exitCode } = describeCliError(error, command);
    io.stderr.write(`${command ? line : line.replace(/^ai-review : /, 'ai-review: ')}\n`);
    if (program.opts<{ debug?: boolean }>().debug === true || argv.includes('--debug') || io.env.AI_REVIEW_DEBUG === '1') {
      io.stderr.write(`${stackOf(error)}\n`);
    }
    return exitCode;
  }
}

/** The subcommand named in `argv`, or '' when none of the program's is. */
function subcommandIn(argv: string[], program: Command): string {
  const names = new Set(program.commands.map((c) => c.name()));
  return argv.slice(2).find((arg) => names.has(arg)) ?? '';
}

/** The stack of an error and of its causes. */
function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : inspect(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** Whether this module is the program being run (also through npm's `node_modules/.bin/ai-review` symlink). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = await runCli(process.argv);
