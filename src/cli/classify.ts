/**
 * `ai-review classify [FILE|-] [--config .github/ai-review.yml] [--summary]`
 *
 * Reads JSON Lines, one PR a line in GitHub REST shapes (`{"pull_request", "commits", "timeline"?, "id"?, "expected"?}`),
 * and writes one JSON line per input line with the verdict the app would use:
 * `{"id"?, "class", "agent", "confidence", "human_of_record", "agent_commit_share", "reasons"}`.
 * With `--summary`, writes instead Markdown tables of recall per expected agent, false-positive rate on human and
 * automation PRs and the confusion between agents (lines need an `expected` label).
 *
 * A malformed line is reported on stderr with its line number and skipped; the exit code is 1 when any line failed,
 * 2 when the configuration or the input file cannot be read, 0 otherwise.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { z } from 'zod';
import { classifyPullRequest, DEFAULT_AUTHORSHIP_OPTIONS } from '../authorship/classify.js';
import { evaluate, formatSummary, type LabelledVerdict } from '../authorship/evaluate.js';
import type { AuthorshipInput, AuthorshipOptions, AuthorshipVerdict } from '../authorship/types.js';
import { parseConfigText } from '../config/load.js';

const nullableObject = z.looseObject({}).nullable().optional();
const nullableArray = z.array(z.unknown()).nullable().optional();

/** The shape a line must have (fields the classifier reads are checked for their container type only). */
const LineSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullable().optional(),
  pull_request: nullableObject,
  commits: nullableArray,
  timeline: nullableArray,
  expected: z.looseObject({ class: z.enum(['agent', 'human', 'automation']), agent: z.string().nullable().optional() }).optional(),
});

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
  /** Lines classified. */
  classified: number;
  /** Malformed lines (reported on `errors`). */
  failed: number;
  /** Lines with an `expected` label. */
  labelled: number;
}

/**
 * Classifies every line of `input`. Blank lines are skipped silently. Writes verdict lines (or, with `summary`, the
 * summary tables at the end) to `output` and `line N: <problem>` messages to `errors`. Never throws for bad lines.
 */
export async function runClassify(params: {
  input: Readable;
  output: Writable;
  errors: Writable;
  options: AuthorshipOptions;
  summary: boolean;
}): Promise<ClassifyRunResult> {
  const { input, output, errors, options, summary } = params;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const labelled: LabelledVerdict[] = [];
  let lineNumber = 0;
  let classified = 0;
  let failed = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      failed++;
      errors.write(`line ${lineNumber}: invalid JSON: ${(err as Error).message}\n`);
      continue;
    }
    const parsed = LineSchema.safeParse(value);
    if (!parsed.success) {
      failed++;
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      errors.write(`line ${lineNumber}: not a pull request line: ${where}${issue?.message ?? 'invalid'}\n`);
      continue;
    }
    const line = parsed.data;
    const verdict = classifyPullRequest(line as AuthorshipInput, options);
    classified++;
    if (line.expected) labelled.push({ expected: line.expected, verdict });
    if (!summary) output.write(`${JSON.stringify(toOutputLine(verdict, line.id))}\n`);
  }
  if (summary) {
    if (labelled.length === 0) errors.write('--summary: no line carries an "expected" label; nothing to summarise\n');
    else output.write(formatSummary(evaluate(labelled)));
  }
  return { classified, failed, labelled: labelled.length };
}

/** Reads `--config` and returns the classifier options of its `agents` section; throws with every problem listed. */
export async function loadAuthorshipOptions(path: string | undefined): Promise<AuthorshipOptions> {
  if (path === undefined) return DEFAULT_AUTHORSHIP_OPTIONS;
  const text = await readFile(path, 'utf8');
  const result = parseConfigText(text, path);
  if (!result.ok) {
    const lines = result.errors.map((e) => `${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.path}: ${e.message}`);
    throw new Error(`invalid configuration\n${lines.join('\n')}`);
  }
  const agents = result.config.agents;
  return { builtin: agents.builtin, custom: agents.custom, minConfidence: agents.min_confidence };
}

/** Adds the `classify` subcommand to the `ai-review` program. */
export function register(program: Command): void {
  program
    .command('classify')
    .description('Classify pull requests (JSON Lines in GitHub REST shapes) as agent, human or automation')
    .argument('[file]', 'JSON Lines file; "-" or nothing for standard input')
    .option('--config <path>', 'ai-review configuration whose `agents` section applies (e.g. .github/ai-review.yml)')
    .option('--summary', 'print recall, false-positive and confusion tables for lines with an `expected` label instead of verdicts')
    .action(async (file: string | undefined, opts: { config?: string; summary?: boolean }) => {
      let options: AuthorshipOptions;
      try {
        options = await loadAuthorshipOptions(opts.config);
      } catch (err) {
        process.stderr.write(`ai-review classify: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const input = file === undefined || file === '-' ? process.stdin : createReadStream(file);
      try {
        const result = await runClassify({
          input,
          output: process.stdout,
          errors: process.stderr,
          options,
          summary: opts.summary === true,
        });
        if (result.failed > 0) {
          process.stderr.write(`ai-review classify: ${result.failed} malformed line(s) skipped, ${result.classified} classified\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        process.stderr.write(`ai-review classify: cannot read ${file ?? 'standard input'}: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
