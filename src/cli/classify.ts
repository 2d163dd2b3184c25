/**
 * `ai-review classify [FILE|-] [--config .github/ai-review.yml] [--summary | --explain]`
 *
 * Reads pull requests, one JSON object a line (or one JSON array), in either shape:
 * - REST, as the app sees them: `{"pull_request", "commits"?, "timeline"?, "id"?, "expected"?}`;
 * - GitHub CLI: the elements of `gh pr list --json number,title,body,author,headRefName,labels,commits` (its output
 *   is one JSON array; `--jq '.[]'` gives one object a line; both are read).
 * Writes one JSON line per pull request with the verdict the app would use:
 * `{"id"?, "class", "agent", "confidence", "human_of_record", "agent_commit_share", "reasons"}` (the id is the line's
 * `id`, or the PR `number` of gh lines). With `--summary`, Markdown tables of recall per expected agent, false
 * positives and confusion instead (lines need an `expected` label). With `--explain`, for each PR every identity seen
 * and which catalog entry matched it, or why none did.
 *
 * Errors are thrown, never printed here (src/cli/main.ts prints them): a line that is not JSON or not a pull request
 * is a `UsageError` naming its line number (exit code 2), as is an unreadable input or configuration file; an
 * invalid configuration is a `CliError` (exit code 1).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { classifyPullRequest, DEFAULT_AUTHORSHIP_OPTIONS } from '../authorship/classify.js';
import { evaluate, formatSummary, type ExpectedLabel, type LabelledVerdict } from '../authorship/evaluate.js';
import { explainPullRequest, formatExplanation } from '../authorship/explain.js';
import { readPullRequest } from '../authorship/input.js';
import type { AuthorClass, AuthorshipOptions, AuthorshipVerdict } from '../authorship/types.js';
import { parseConfigText } from '../config/load.js';
import { CliError, UsageError } from './errors.js';

/** One output line (snake_case like the REST payloads it comes from). */
export interface ClassifyOutputLine {
  id?: string | number;
  class: AuthorshipVerdict['class'];
  agent: string | null;
  confidence: AuthorshipVerdict['confidence'];
  human_of_record: string | null;
  agent_commit_share: number;
  reasons: AuthorshipVerdict['reasons'];
}

/** Converts a verdict to the output line shape; the share is rounded to 4 decimals. */
export function toOutputLine(verdict: AuthorshipVerdict, id?: string | number | null): ClassifyOutputLine {
  return {
    ...(id !== undefined && id !== null ? { id } : {}),
    class: verdict.class,
    agent: verdict.agent,
    confidence: verdict.confidence,
    human_of_record: verdict.humanOfRecord,
    agent_commit_share: Math.round(verdict.agentCommitShare * 10_000) / 10_000,
    reasons: verdict.reasons,
  };
}

/** Counts of a run. */
export interface ClassifyRunResult {
  /** Pull requests classified. */
  classified: number;
  /** Pull requests with an `expected` label. */
  labelled: number;
  /** How many were read in each shape. */
  shapes: { rest: number; gh: number };
}

const CLASSES: readonly AuthorClass[] = ['agent', 'assisted', 'human', 'automation'];

/** The `expected` label of a line, when it has a valid one. */
function expectedOf(value: Record<string, unknown>, where: string): ExpectedLabel | undefined {
  const expected = value.expected;
  if (expected === undefined || expected === null) return undefined;
  const e = expected as { class?: unknown; agent?: unknown };
  if (typeof expected !== 'object' || !CLASSES.includes(e.class as AuthorClass)) {
    throw new UsageError(`${where}: "expected.class" must be one of ${CLASSES.join(', ')}`);
  }
  if (e.agent !== undefined && e.agent !== null && typeof e.agent !== 'string')
    throw new UsageError(`${where}: "expected.agent" must be a string`);
  return { class: e.class as AuthorClass, agent: e.agent ?? null };
}

/** The values of the input with where each came from (`line N` or `element N` of a JSON array). */
async function* values(input: Readable): AsyncGenerator<{ where: string; value: unknown }> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let array: string[] | null = null;
  for await (const text of lines) {
    lineNumber++;
    if (array) {
      array.push(text);
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('[')) {
      // One JSON array (gh's own output): read it whole.
      array = [text];
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`line ${lineNumber}: invalid JSON: ${(err as Error).message}`);
    }
    yield { where: `line ${lineNumber}`, value };
  }
  if (!array) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(array.join('\n'));
  } catch (err) {
    throw new UsageError(`invalid JSON array (from line ${lineNumber - array.length + 1}): ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError('the input starts with "[" but is not one JSON array');
  for (let i = 0; i < parsed.length; i++) yield { where: `element ${i + 1} of the JSON array`, value: parsed[i] as unknown };
}

/**
 * Classifies every pull request of `input` and writes verdict lines, explanations (`explain`) or, at the end, the
 * summary tables (`summary`) to `output`. Throws `UsageError` at the first line that is not JSON or not a pull
 * request, naming its line number; what was written before stays written.
 */
export async function runClassify(params: {
  input: Readable;
  output: Writable;
  options: AuthorshipOptions;
  summary?: boolean;
  explain?: boolean;
  /** Where notes go (`--summary` without labels). */
  errors?: Writable;
}): Promise<ClassifyRunResult> {
  const { input, output, options } = params;
  const labelled: LabelledVerdict[] = [];
  const result: ClassifyRunResult = { classified: 0, labelled: 0, shapes: { rest: 0, gh: 0 } };
  for await (const { where, value } of values(input)) {
    const read = readPullRequest(value);
    if (!read.ok) throw new UsageError(`${where}: not a pull request: ${read.problem}`);
    const record = value as Record<string, unknown>;
    const expected = expectedOf(record, where);
    const rawId = read.shape === 'rest' ? record.id : record.number;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    result.shapes[read.shape]++;
    result.classified++;
    if (params.explain) {
      const explanation = explainPullRequest(read.input, options);
      const number = read.input.pull_request?.number;
      output.write(formatExplanation(explanation, `${where}${typeof number === 'number' ? `, #${number}` : ''}`));
      if (expected) labelled.push({ expected, verdict: explanation.verdict });
      continue;
    }
    const verdict = classifyPullRequest(read.input, options);
    if (expected) labelled.push({ expected, verdict });
    if (!params.summary) output.write(`${JSON.stringify(toOutputLine(verdict, id))}\n`);
  }
  result.labelled = labelled.length;
  if (params.summary && !params.explain) {
    if (labelled.length === 0) params.errors?.write('--summary: no line carries an "expected" label; nothing to summarise\n');
    else output.write(formatSummary(evaluate(labelled)));
  }
  return result;
}

/**
 * Reads `--config` and returns the classifier options of its `agents` section. Throws `UsageError` when the file
 * cannot be read, `CliError` (exit 1) listing every problem when it is not a valid configuration.
 */
export async function loadAuthorshipOptions(path: string | undefined): Promise<AuthorshipOptions> {
  if (path === undefined) return DEFAULT_AUTHORSHIP_OPTIONS;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --config ${path}: ${(err as Error).message}`, { cause: err });
  }
  const result = parseConfigText(text, path);
  if (!result.ok) {
    const lines = result.errors.map((e) => `${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.path}: ${e.message}`);
    throw new CliError(`invalid configuration: ${lines.join('; ')}`);
  }
  const agents = result.config.agents;
  return { builtin: agents.builtin, custom: agents.custom, minConfidence: agents.min_confidence };
}

/** Opens FILE (or standard input for `-` or nothing), failing with a `UsageError` when it cannot be read. */
async function openInput(file: string | undefined): Promise<Readable> {
  if (file === undefined || file === '-') return process.stdin;
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new UsageError(`cannot read ${file}: ${err.message}`, { cause: err })));
  });
  return stream;
}

/** Adds the `classify` subcommand to the `ai-review` program. Its action throws `CliError`s for main.ts to print. */
export function register(program: Command): void {
  program
    .command('classify')
    .description('Classify pull requests (REST JSON Lines or `gh pr list --json` output) as agent, assisted, human or automation')
    .argument('[file]', 'JSON Lines or JSON array file; "-" or nothing for standard input')
    .option('--config <path>', 'ai-review configuration whose `agents` section applies (e.g. .github/ai-review.yml)')
    .option('--summary', 'print recall, false-positive and confusion tables for lines with an `expected` label instead of verdicts')
    .option('--explain', 'for each pull request, list every identity seen and which catalog entry matched it, or why none did')
    .action(async (file: string | undefined, opts: { config?: string; summary?: boolean; explain?: boolean }) => {
      if (opts.summary === true && opts.explain === true) throw new UsageError('--summary and --explain cannot be combined');
      const options = await loadAuthorshipOptions(opts.config);
      const input = await openInput(file);
      try {
        await runClassify({
          input,
          output: process.stdout,
          errors: process.stderr,
          options,
          summary: opts.summary === true,
          explain: opts.explain === true,
        });
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new UsageError(`cannot read ${file ?? 'standard input'}: ${(err as Error).message}`, { cause: err });
      }
    });
}
