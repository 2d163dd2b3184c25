/**
 * Errors of the `ai-review` command line and how they end the process. Every command throws one of these (or lets
 * an unexpected error through); `runCli` in `main.ts` prints one line `ai-review <command>: <message>` on stderr
 * and exits with the error's code. `--debug` (or `AI_REVIEW_DEBUG=1`) also prints the stack.
 *
 * Exit codes: 2 for usage errors (bad arguments, unreadable input), 1 for everything else (unreachable store or
 * API, bad credentials, invalid configuration).
 */

/** A failure the user can act on. `exitCode` 1 unless stated. The message is one line, without a stack. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad arguments or unreadable input: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

/**
 * Turns any thrown value into the one line printed for it and the exit code. Input: the error and the command's
 * name. Output: `{ line, exitCode }`; `line` has no newline and at most 500 characters.
 */
export function describeCliError(error: unknown, command: string): { line: string; exitCode: number } {
  const exitCode = error instanceof CliError ? error.exitCode : 1;
  let message: string;
  if (error instanceof CliError) message = error.message;
  else if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    message = typeof status === 'number' ? `GitHub answered HTTP ${status}: ${error.message}` : error.message;
  } else message = String(error);
  const oneLine = message.replace(/\s+/g, ' ').trim().slice(0, 500);
  return { line: `ai-review ${command}: ${oneLine}`, exitCode };
}
