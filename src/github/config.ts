/**
 * Reads `.github/ai-review.yml` through Probot's `context.config`: always from the repository's default branch
 * (never the PR's head, so a PR cannot loosen its own gate), falling back to the org's `.github` repository,
 * with `_extends` support. Arrays in an extending file replace those of the base (no concatenation).
 */
import type { Context } from 'probot';
import { CONFIG_FILE_NAME, CONFIG_PATH, resolveConfig, validateConfig, type ConfigError, type EffectiveConfig } from '../config/load.js';
import type { ConfigFiles } from './graphql/index.js';
import { transientFailure } from './retry.js';
import { parseConfigText } from '../config/load.js';
import type { AiReviewConfigFile } from '../config/schema.js';

type ConfigContext = Pick<Context, 'config' | 'octokit' | 'repo'>;

/** Result of loading: a validated file, no file at all (`config: null`), or errors. */
export type LoadedConfig =
  | { ok: true; config: AiReviewConfigFile; origin: 'file' }
  | { ok: true; config: null; origin: 'default' }
  | { ok: false; errors: ConfigError[] };

interface ParseErrorCause {
  message?: string;
  linePos?: Array<{ line: number; col: number }>;
}

/** Fetches the raw text of the repository's own config file (default branch), or undefined. Only used on the error path, for line numbers. */
async function fetchRawConfig(context: ConfigContext): Promise<string | undefined> {
  try {
    const { owner, repo } = context.repo();
    const response = await context.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path: CONFIG_PATH,
      mediaType: { format: 'raw' },
    });
    return typeof response.data === 'string' ? response.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads and validates the configuration for the context's repository.
 * Output: `{ok: true, config, origin}` or `{ok: false, errors}` (invalid YAML or schema; errors carry key path and
 * line where known). Throws on GitHub API errors other than 404 (the caller fails closed).
 */
export async function loadRepositoryConfig(context: ConfigContext): Promise<LoadedConfig> {
  let value: unknown;
  try {
    value = await context.config(CONFIG_FILE_NAME, undefined, { arrayMerge: (_target: unknown[], source: unknown[]) => source });
  } catch (error) {
    const err = error as Error & { cause?: ParseErrorCause; status?: number };
    if (err.status !== undefined) throw error;
    if (typeof err.message === 'string' && err.message.includes('[@probot/octokit-plugin-config]')) {
      const line = err.cause?.linePos?.[0]?.line;
      const detail = err.cause?.message?.split('\n')[0];
      const where = /from (\S+)/.exec(err.message)?.[1] ?? CONFIG_PATH;
      return {
        ok: false,
        errors: [
          {
            path: '(root)',
            message: `${err.message.includes('invalid YAML') ? 'invalid YAML' : err.message.replace('[@probot/octokit-plugin-config] ', '')}${detail ? `: ${detail}` : ''}`,
            source: sourceName(where),
            ...(line !== undefined ? { line } : {}),
          },
        ],
      };
    }
    throw error;
  }
  if (value === null || value === undefined) return { ok: true, config: null, origin: 'default' };
  let result = validateConfig(value, CONFIG_PATH);
  if (!result.ok) {
    const text = await fetchRawConfig(context);
    if (text !== undefined) result = validateConfig(value, CONFIG_PATH, text);
    return result.ok ? { ok: true, config: result.config, origin: 'file' } : result;
  }
  return { ok: true, config: result.config, origin: 'file' };
}

/** Turns a contents-API URL into `owner/repo:path` for messages. */
function sourceName(url: string): string {
  const m = /\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(url);
  return m ? `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}:${decodeURIComponent(m[3]!)}` : CONFIG_PATH;
}

/** The configuration as loaded for a repository: effective config, or the errors that make it invalid. */
export type ConfigState = { ok: true; config: EffectiveConfig } | { ok: false; errors: ConfigError[] };

/**
 * Loads and resolves the configuration. Fails closed: a GitHub error that retrying cannot fix (e.g. 403) becomes
 * an error state naming the HTTP status (the PR gets a `failure` check run); transient errors (rate limits, 5xx,
 * network) are thrown, so the job is retried.
 */
export async function loadConfigState(context: ConfigContext): Promise<ConfigState> {
  try {
    const loaded = await loadRepositoryConfig(context);
    if (!loaded.ok) return loaded;
    return { ok: true, config: resolveConfig(loaded.config) };
  } catch (error) {
    if (transientFailure(error, new Date(), 1)) throw error;
    const status = (error as { status?: number }).status;
    return {
      ok: false,
      errors: [
        {
          path: '(root)',
          message: `could not read ${CONFIG_PATH} from the default branch (GitHub answered HTTP ${status ?? 'error'}); use Re-run on this check to try again`,
          source: CONFIG_PATH,
        },
      ],
    };
  }
}

/**
 * The configuration from the files the fact loader read (the repository's `.github/ai-review.yml`, else the owner's
 * `.github` repository's, else none: the defaults), validated with line numbers exactly as `loadRepositoryConfig`
 * does. Output: the config state, or null when the file in force has `_extends` (the caller then reads it through
 * Probot's config loader, which follows it).
 */
export function configFromFiles(files: ConfigFiles): ConfigState | null {
  const file = files.repository?.text != null ? files.repository : files.organization?.text != null ? files.organization : null;
  if (!file || file.text === null) return { ok: true, config: resolveConfig(null) };
  if (/^_extends\s*:/m.test(file.text)) return null;
  const source = file.repository === files.repository?.repository ? CONFIG_PATH : `${file.repository}:${file.path}`;
  const parsed = parseConfigText(file.text, source);
  return parsed.ok ? { ok: true, config: resolveConfig(parsed.config) } : parsed;
}
