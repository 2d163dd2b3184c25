/**
 * `ai-review validate [FILE] [--repo-root DIR] [--format text|json]`
 *
 * Checks a configuration file offline, exactly as the app validates it (YAML syntax, the schema, unknown path
 * groups, duplicate rule names), and, when a rule requires code owners, the CODEOWNERS file found in GitHub's
 * locations under the repository root: lines GitHub would reject are problems too. Prints every problem as
 * `FILE:LINE: KEY: MESSAGE` (or JSON) and exits 1 when there is any, so CI can check a config change before it
 * is merged. `_extends` is not followed offline (the base file lives in another repository).
 *
 * Exit codes: 0 valid; 1 invalid (`CliError`); 2 the file cannot be read (`UsageError`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CODEOWNERS_LOCATIONS, parseCodeowners } from '../codeowners/index.js';
import { CONFIG_PATH, parseConfigText, type ConfigError } from '../config/load.js';
import { CliError, UsageError } from './errors.js';

/** What `validate` found: the problems (config and CODEOWNERS), notes that do not fail it, and the CODEOWNERS used. */
export interface ValidateResult {
  file: string;
  valid: boolean;
  problems: ConfigError[];
  notes: string[];
  /** The CODEOWNERS file checked, relative to the repository root, or null. */
  codeowners: string | null;
}

/**
 * The repository root for a config path: the parent of its `.github` folder when the file is in one
 * (`repo/.github/ai-review.yml` → `repo`), else the current directory.
 */
export function repositoryRootFor(file: string, cwd: string = process.cwd()): string {
  const dir = dirname(resolve(cwd, file));
  return basename(dir) === '.github' ? dirname(dir) : cwd;
}

/** The first CODEOWNERS in GitHub's locations under `root`, or null. */
export function findCodeowners(root: string): { path: string; content: string } | null {
  for (const location of CODEOWNERS_LOCATIONS) {
    const full = join(root, location);
    if (existsSync(full)) return { path: location, content: readFileSync(full, 'utf8') };
  }
  return null;
}

/**
 * Validates `file` (YAML text already read) like the app, then the CODEOWNERS references. Pure but for reading
 * CODEOWNERS under `repoRoot`. Never throws.
 */
export function validateConfigFile(file: string, text: string, repoRoot: string): ValidateResult {
  const notes: string[] = [];
  const result = parseConfigText(text, file);
  if (/^_extends\s*:/m.test(text)) notes.push('`_extends` is not followed offline: the base file is validated by the app only');
  if (!result.ok) return { file, valid: false, problems: result.errors, notes, codeowners: null };
  const ownersRules = (result.config.rules ?? []).filter((r) => r.require.codeowners === true);
  if (ownersRules.length === 0) return { file, valid: true, problems: [], notes, codeowners: null };
  const found = findCodeowners(repoRoot);
  if (!found) {
    notes.push(
      `rules ${ownersRules.map((r) => `"${r.name}"`).join(', ')} require code owners, but no CODEOWNERS is in ${CODEOWNERS_LOCATIONS.join(', ')} under ${repoRoot}: on GitHub, without one no file has owners`,
    );
    return { file, valid: true, problems: [], notes, codeowners: null };
  }
  const problems: ConfigError[] = parseCodeowners(found.content, found.path).problems.map((p) => ({
    path: '(CODEOWNERS)',
    message: `${p.kind}: ${p.message}`,
    source: found.path,
    line: p.line,
  }));
  return { file, valid: problems.length === 0, problems, notes, codeowners: found.path };
}

/** One line per problem: `FILE:LINE: KEY: MESSAGE`. */
export function formatProblems(problems: readonly ConfigError[]): string[] {
  return problems.map((e) => `${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.path}: ${e.message}`);
}

/** The text output of a run (problems, notes, verdict), newline-terminated. */
export function formatValidateText(result: ValidateResult): string {
  const lines = [...formatProblems(result.problems), ...result.notes.map((n) => `note: ${n}`)];
  if (result.valid) lines.push(`${result.file}: valid${result.codeowners ? ` (CODEOWNERS: ${result.codeowners})` : ''}`);
  else lines.push(`${result.file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}

/** Adds the `validate` subcommand to the `ai-review` program. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('Check an ai-review configuration offline, as the app would (schema, path groups, CODEOWNERS); exit 1 when invalid')
    .argument('[file]', 'configuration file', CONFIG_PATH)
    .option(
      '--repo-root <dir>',
      'repository root for CODEOWNERS (default: the parent of the file’s .github folder, else the current directory)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((file: string, opts: { repoRoot?: string; format: 'text' | 'json' }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
      }
      const result = validateConfigFile(file, text, opts.repoRoot ?? repositoryRootFor(file));
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatValidateText(result));
      if (!result.valid) {
        throw new CliError(`${file} is invalid: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
      }
    });
}
