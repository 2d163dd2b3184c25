/**
 * `ai-review simulate owner/name#123 --config new.yml` and `ai-review simulate owner/name --open --config new.yml`:
 * evaluates a configuration that is not merged yet against one pull request or all open ones, with the app's
 * own core and fact loading, and prints for each PR the conclusion under the current configuration (the default
 * branch's, as the app reads it) next to the new one, and the rules whose outcome changed. Writes nothing to
 * GitHub (read requests only).
 *
 * Credentials: `GITHUB_TOKEN` (a token that can read the repository, its PRs and team members), or the app's own
 * (`APP_ID` and `PRIVATE_KEY`/`PRIVATE_KEY_PATH`: the installation on the repository is looked up). `GHE_HOST` and
 * `GHE_PROTOCOL` point it at GitHub Enterprise Server. Every request times out after `GITHUB_REQUEST_TIMEOUT_MS`
 * (default 10 000).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import merge from 'deepmerge';
import { pino, type Logger } from 'pino';
import { ProbotOctokit } from 'probot';
import { parse as parseYaml } from 'yaml';
import { CONFIG_PATH, parseConfigText, resolveConfig, validateConfig } from '../config/load.js';
import { loadAndEvaluate } from '../github/evaluate-pull-request.js';
import type { Octokit, RepoRef } from '../github/facts.js';
import { type ConfigState } from '../github/config.js';
import type { GateResult } from '../gate/types.js';
import { apiBaseUrl, appCredentialsFromEnv } from './backfill-github.js';
import { CliError, UsageError } from './errors.js';

/** One PR's outcome under both configurations. */
export interface SimulatedPullRequest {
  number: number;
  title: string;
  current: { conclusion: string; title: string };
  proposed: { conclusion: string; title: string };
  /** Rules whose applicability or result differs, e.g. `security-review: holds → not met`. */
  changedRules: string[];
}

/** Parses `owner/name#123` or `owner/name`. Throws UsageError otherwise. */
export function parseTarget(target: string): RepoRef & { pullNumber: number | null } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?:#([1-9][0-9]*))?$/.exec(target);
  if (!m) throw new UsageError(`"${target.slice(0, 100)}" is not owner/name or owner/name#NUMBER`);
  return { owner: m[1]!, repo: m[2]!, pullNumber: m[3] ? Number(m[3]) : null };
}

/** How a rule ended in a result: `not applicable`, `holds` or `not met`, for comparisons. */
function ruleStates(result: GateResult | null): Map<string, string> {
  return new Map((result?.rules ?? []).map((r) => [r.name, r.holds ? 'holds' : `not met (${r.mode})`]));
}

/** The rules whose state differs between two results (pure). */
export function changedRules(current: GateResult | null, proposed: GateResult | null): string[] {
  const a = ruleStates(current);
  const b = ruleStates(proposed);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.filter((n) => a.get(n) !== b.get(n)).map((n) => `${n}: ${a.get(n) ?? 'does not apply'} → ${b.get(n) ?? 'does not apply'}`);
}

/**
 * Reads and validates the proposed config file like the app. `_extends` is followed through GitHub (the base file
 * as the app would read it), and the local keys are merged over it with lists replaced, as the app merges.
 */
export async function loadProposedConfig(octokit: Octokit, ref: RepoRef, file: string, log: Logger): Promise<ConfigState> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const checked = parseConfigText(text, file);
  if (!checked.ok) return checked;
  const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const extendsValue = raw._extends;
  if (typeof extendsValue !== 'string') return { ok: true, config: resolveConfig(checked.config) };
  // `_extends: repo` or `owner/repo`, optionally `:path` (the Probot config plugin's syntax).
  const m = /^(?:([^/:]+)\/)?([^/:]+)(?::(.+))?$/.exec(extendsValue);
  if (!m) return { ok: false, errors: [{ path: '_extends', message: `cannot read "${extendsValue.slice(0, 100)}"`, source: file }] };
  const base = await octokit.config.get({ owner: m[1] ?? ref.owner, repo: m[2]!, path: m[3] ?? CONFIG_PATH });
  log.debug({ files: base.files.length }, 'read the _extends base');
  const { _extends: _ignored, ...local } = raw;
  const merged = merge.all([base.config ?? {}, local], { arrayMerge: (_target: unknown[], source: unknown[]) => source });
  const result = validateConfig(merged, file);
  return result.ok ? { ok: true, config: resolveConfig(result.config) } : result;
}

/**
 * An Octokit for the CLI (Probot's, for its config plugin: the current configuration is read exactly as the app
 * reads it): `GITHUB_TOKEN`, or the app's installation on `ref` (`APP_ID` and `PRIVATE_KEY`/`PRIVATE_KEY_PATH`).
 * Every request times out after `GITHUB_REQUEST_TIMEOUT_MS` (default 10 000). Throws CliError without credentials.
 */
export async function cliOctokit(env: NodeJS.ProcessEnv, ref: RepoRef): Promise<Octokit> {
  const common = {
    baseUrl: apiBaseUrl(env),
    request: { timeout: Number(env.GITHUB_REQUEST_TIMEOUT_MS ?? 10_000) },
    throttle: { enabled: false as const },
    retry: { enabled: false as const },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  if (env.GITHUB_TOKEN) return new ProbotOctokit({ ...common, auth: { token: env.GITHUB_TOKEN } });
  const credentials = appCredentialsFromEnv(env);
  if (!credentials) throw new CliError('no credentials: set GITHUB_TOKEN, or APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH)');
  const app = new ProbotOctokit({ ...common, auth: { appId: Number(credentials.appId), privateKey: credentials.privateKey } });
  const { data } = await app.rest.apps.getRepoInstallation({ owner: ref.owner, repo: ref.repo });
  return (await app.auth({
    type: 'installation',
    installationId: data.id,
    factory: (o: { octokitOptions: object }) => new ProbotOctokit({ ...o.octokitOptions, ...common }),
  })) as Octokit;
}

/**
 * Simulates `proposedFile` on the target PRs. Output: one entry per PR, in PR-number order. Throws CliError on
 * GitHub errors (the message names the HTTP status).
 */
export async function simulate(options: {
  octokit: Octokit;
  ref: RepoRef;
  pullNumbers: number[] | 'open';
  proposedFile: string;
  log?: Logger;
}): Promise<SimulatedPullRequest[]> {
  const log = options.log ?? pino({ level: 'silent' });
  const { octokit, ref } = options;
  const proposed = await loadProposedConfig(octokit, ref, options.proposedFile, log);
  const numbers =
    options.pullNumbers === 'open'
      ? (await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 }))
          .map((p) => p.number)
          .sort((a, b) => a - b)
      : options.pullNumbers;
  const out: SimulatedPullRequest[] = [];
  for (const number of numbers) {
    const ctx = { octokit, ref, log };
    const a = await loadAndEvaluate(ctx, number);
    const b = await loadAndEvaluate(ctx, number, { proposedConfig: proposed });
    if (a.kind === 'not-found' || b.kind === 'not-found') throw new CliError(`${ref.owner}/${ref.repo}#${number} was not found`);
    const shown = (r: typeof a) =>
      r.kind === 'open'
        ? { conclusion: r.content.conclusion, title: r.content.output.title }
        : { conclusion: 'none', title: 'closed: not evaluated' };
    out.push({
      number,
      title: a.pr.title ?? '',
      current: shown(a),
      proposed: shown(b),
      changedRules: changedRules(
        a.kind === 'open' ? (a.evaluated?.result ?? null) : null,
        b.kind === 'open' ? (b.evaluated?.result ?? null) : null,
      ),
    });
  }
  return out;
}

/** Text output: one block per PR; PR titles are untrusted and printed as JSON strings. */
export function formatSimulation(results: readonly SimulatedPullRequest[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const same = r.current.conclusion === r.proposed.conclusion && r.current.title === r.proposed.title;
    lines.push(`#${r.number} ${JSON.stringify(r.title.slice(0, 120))}`);
    lines.push(`  current:  ${r.current.conclusion} — ${r.current.title}`);
    lines.push(`  proposed: ${r.proposed.conclusion} — ${r.proposed.title}${same ? ' (unchanged)' : ''}`);
    for (const c of r.changedRules) lines.push(`  rule ${c}`);
  }
  const changed = results.filter((r) => r.current.conclusion !== r.proposed.conclusion).length;
  lines.push(`${results.length} pull request${results.length === 1 ? '' : 's'} simulated, ${changed} with another conclusion`);
  return `${lines.join('\n')}\n`;
}

/** Registers `simulate` on the program. */
export function register(program: Command): void {
  program
    .command('simulate')
    .description('evaluate a configuration that is not merged yet against one or all open pull requests (writes nothing)')
    .argument('<target>', 'owner/name#NUMBER, or owner/name with --open')
    .requiredOption('--config <file>', 'the proposed .github/ai-review.yml')
    .option('--open', 'all open pull requests of the repository')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (target: string, opts: { config: string; open?: boolean; format: 'text' | 'json' }) => {
      const parsed = parseTarget(target);
      if (parsed.pullNumber === null && !opts.open) throw new UsageError('name a pull request (owner/name#NUMBER) or pass --open');
      if (parsed.pullNumber !== null && opts.open) throw new UsageError('--open takes owner/name without #NUMBER');
      const ref = { owner: parsed.owner, repo: parsed.repo };
      let results: SimulatedPullRequest[];
      try {
        const octokit = await cliOctokit(process.env, ref);
        results = await simulate({
          octokit,
          ref,
          pullNumbers: parsed.pullNumber === null ? 'open' : [parsed.pullNumber],
          proposedFile: opts.config,
        });
      } catch (error) {
        if (error instanceof CliError) throw error;
        const status = (error as { status?: number }).status;
        if (status === 401) throw new CliError('GitHub refused the credentials (HTTP 401)', { cause: error });
        if (status === 404)
          throw new CliError(`${ref.owner}/${ref.repo} or the pull request was not found, or the credentials cannot see it (HTTP 404)`, {
            cause: error,
          });
        throw new CliError(status ? `GitHub answered HTTP ${status}` : `GitHub could not be reached: ${(error as Error).message}`, {
          cause: error,
        });
      }
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(results, null, 2)}\n` : formatSimulation(results));
    });
}
