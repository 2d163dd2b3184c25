/**
 * Validation of `.github/ai-review.yml` and resolution of the effective configuration (built-in path groups and
 * rules merged in). Pure: the GitHub side (reading the file from the default branch) lives in src/github/config.ts.
 */
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { BUILTIN_CATALOG } from '../authorship/catalog.js';
import type { AuthorshipOptions } from '../authorship/types.js';
import { BUILTIN_PATH_GROUPS } from '../paths/groups.js';
import { compilePathGroups, type CompiledPathGroups } from '../paths/match.js';
import {
  AiReviewConfigSchema,
  RULE_AUTHOR_CLASSES,
  type AiReviewConfigFile,
  type ReviewSettings,
  type Rule,
  type StaleOnPush,
} from './schema.js';

/** Where the configuration file lives in a repository (and, as fallback, in the org's `.github` repository). */
export const CONFIG_PATH = '.github/ai-review.yml';
/** The file name Probot's `context.config` takes (it prefixes `.github/`). */
export const CONFIG_FILE_NAME = 'ai-review.yml';

/** One problem in the configuration: the key path (`rules[0].require.count`), a message, and the line when known. */
export interface ConfigError {
  /** Dotted key path, `(root)` for the whole document. */
  path: string;
  message: string;
  /** 1-based line in `source`, when the YAML parser or the document gives one. */
  line?: number;
  /** The file the error is in, e.g. `.github/ai-review.yml` or `acme/.github:.github/ai-review.yml`. */
  source: string;
}

export type ConfigResult = { ok: true; config: AiReviewConfigFile } | { ok: false; errors: ConfigError[] };

/** The built-in rules, used when the file has no `rules` key (or there is no file). */
export const BUILTIN_RULES: readonly Rule[] = [
  {
    name: 'agent-pr-review',
    if: { author: 'agent' },
    require: { count: 1 },
  },
  {
    name: 'agent-sensitive-paths-review',
    if: { author: 'agent', paths: Object.keys(BUILTIN_PATH_GROUPS) },
    require: { count: 2 },
  },
];

/** The configuration a gate evaluation uses: the file (or defaults), with path groups and rules resolved. */
export interface EffectiveConfig {
  file: AiReviewConfigFile;
  /** Group name → patterns, config groups first (file order), then built-in ones not redefined. */
  pathGroups: Record<string, string[]>;
  compiledPathGroups: CompiledPathGroups;
  rules: Rule[];
  authorship: AuthorshipOptions;
  /** Which later pushes make an approval stale (see {@link effectiveStaleOnPush}). */
  staleOnPush: EffectiveStaleOnPush;
  /** Where it came from: `default` (no file) or `file`. */
  origin: 'default' | 'file';
}

/** `review.stale_on_push`, or `off` for the deprecated `stale_on_agent_push: false` (approvals never go stale). */
export type EffectiveStaleOnPush = StaleOnPush | 'off';

/**
 * Resolves which pushes make an approval stale: `stale_on_push` when set; otherwise the deprecated boolean
 * `stale_on_agent_push` (`true`, the default → `agent`; `false` → `off`).
 */
export function effectiveStaleOnPush(review: Pick<ReviewSettings, 'stale_on_push' | 'stale_on_agent_push'>): EffectiveStaleOnPush {
  if (review.stale_on_push !== undefined) return review.stale_on_push;
  return review.stale_on_agent_push ? 'agent' : 'off';
}

/** Formats a zod issue path as `rules[0].require.count`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Finds the 1-based line of a key path in a parsed YAML document, or undefined. */
export function lineOfPath(doc: Document, path: readonly PropertyKey[], text: string): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const k = item.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && k.value === key;
      });
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  return text.slice(0, offset).split('\n').length;
}

/**
 * Validates an already parsed configuration object (as Probot's `context.config` returns it, `_extends` resolved).
 * `text`, when given, is the raw file and is used to add line numbers. Never throws.
 */
export function validateConfig(value: unknown, source: string, text?: string): ConfigResult {
  const input = value === null || value === undefined ? {} : value;
  if (typeof input === 'object' && input !== null && '_extends' in input) {
    const { _extends: _ignored, ...rest } = input as Record<string, unknown>;
    return validateConfig(rest, source, text);
  }
  const parsed = AiReviewConfigSchema.safeParse(input);
  const doc = text !== undefined ? parseDocument(text) : undefined;
  const errors: ConfigError[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push(toConfigError(issue, source, doc, text));
  } else {
    errors.push(...checkReferences(parsed.data, source, doc, text), ...checkRuleAuthors(parsed.data, source, doc, text));
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: (parsed as { data: AiReviewConfigFile }).data };
}

function toConfigError(issue: z.core.$ZodIssue, source: string, doc: Document | undefined, text: string | undefined): ConfigError {
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.keys.length === 1) path = [...path, issue.keys[0]!];
  }
  const line = doc && text !== undefined ? lineOfPath(doc, path, text) : undefined;
  return { path: formatKeyPath(path), message, source, ...(line !== undefined ? { line } : {}) };
}

/** Cross-field checks zod cannot express locally: rules naming path groups that do not exist, duplicate rule names. */
function checkReferences(config: AiReviewConfigFile, source: string, doc: Document | undefined, text: string | undefined): ConfigError[] {
  const errors: ConfigError[] = [];
  const known = new Set([...Object.keys(config.paths), ...Object.keys(BUILTIN_PATH_GROUPS)]);
  const seen = new Set<string>();
  (config.rules ?? []).forEach((rule, i) => {
    rule.if.paths?.forEach((group, j) => {
      if (known.has(group)) return;
      const path = ['rules', i, 'if', 'paths', j];
      const line = doc && text !== undefined ? lineOfPath(doc, path, text) : undefined;
      errors.push({
        path: formatKeyPath(path),
        message: `unknown path group "${group}" (known: ${[...known].join(', ')})`,
        source,
        ...(line !== undefined ? { line } : {}),
      });
    });
    if (seen.has(rule.name)) {
      const path = ['rules', i, 'name'];
      const line = doc && text !== undefined ? lineOfPath(doc, path, text) : undefined;
      errors.push({
        path: formatKeyPath(path),
        message: `duplicate rule name "${rule.name}"`,
        source,
        ...(line !== undefined ? { line } : {}),
      });
    }
    seen.add(rule.name);
  });
  return errors;
}

/**
 * `if.author` lists mix classes (`agent`, `assisted`, `human`, `any`) and agent names: a name that is neither a class,
 * a built-in catalog entry nor a custom agent is a typo that would silently match nothing.
 */
function checkRuleAuthors(config: AiReviewConfigFile, source: string, doc: Document | undefined, text: string | undefined): ConfigError[] {
  const known = new Set<string>([
    ...RULE_AUTHOR_CLASSES,
    ...BUILTIN_CATALOG.map((e) => e.name.toLowerCase()),
    ...config.agents.custom.map((c) => c.name.toLowerCase()),
  ]);
  const errors: ConfigError[] = [];
  (config.rules ?? []).forEach((rule, i) => {
    if (typeof rule.if.author === 'string') return;
    rule.if.author.forEach((name, j) => {
      if (known.has(name.toLowerCase())) return;
      const path = ['rules', i, 'if', 'author', j];
      const line = doc && text !== undefined ? lineOfPath(doc, path, text) : undefined;
      errors.push({
        path: formatKeyPath(path),
        message: `unknown author "${name}": use agent, assisted, human, any, or an agent name (built-in or agents.custom)`,
        source,
        ...(line !== undefined ? { line } : {}),
      });
    });
  });
  return errors;
}

/**
 * Parses and validates YAML text (used by the CLI's `--config`). YAML syntax errors carry the parser's line.
 * Never throws.
 */
export function parseConfigText(text: string, source: string): ConfigResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: '(root)',
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
        source,
        ...(e.linePos?.[0]?.line !== undefined ? { line: e.linePos[0].line } : {}),
      })),
    };
  }
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    return { ok: false, errors: [{ path: '(root)', message: 'the file must be a YAML mapping (key: value)', source, line: 1 }] };
  }
  return validateConfig(value, source, text);
}

const compiledCache = new Map<string, CompiledPathGroups>();
const COMPILED_CACHE_LIMIT = 256;

/**
 * Compiled matchers for path groups, cached by their content: every delivery resolves the config again, and the
 * same few group sets recur across an installation. Bounded to 256 entries (oldest dropped first).
 */
function compiledGroupsFor(pathGroups: Record<string, string[]>): CompiledPathGroups {
  const key = JSON.stringify(pathGroups);
  let compiled = compiledCache.get(key);
  if (!compiled) {
    compiled = compilePathGroups(pathGroups);
    if (compiledCache.size >= COMPILED_CACHE_LIMIT) compiledCache.delete(compiledCache.keys().next().value!);
    compiledCache.set(key, compiled);
  }
  return compiled;
}

/**
 * Resolves the configuration a gate evaluation uses. `file` null means no file anywhere: built-in defaults
 * (advisory mode, built-in rules and groups). Path groups from the file come first and replace built-in groups
 * of the same name. Output is plain data plus compiled matchers.
 */
export function resolveConfig(file: AiReviewConfigFile | null): EffectiveConfig {
  const base = file ?? AiReviewConfigSchema.parse({});
  const pathGroups: Record<string, string[]> = {};
  for (const [name, patterns] of Object.entries(base.paths)) pathGroups[name] = [...patterns];
  for (const [name, patterns] of Object.entries(BUILTIN_PATH_GROUPS)) {
    if (!(name in pathGroups)) pathGroups[name] = [...patterns];
  }
  return {
    file: base,
    pathGroups,
    compiledPathGroups: compiledGroupsFor(pathGroups),
    rules: base.rules ?? BUILTIN_RULES.map((r) => structuredClone(r)),
    authorship: {
      builtin: base.agents.builtin,
      custom: base.agents.custom,
      minConfidence: base.agents.min_confidence,
    },
    staleOnPush: effectiveStaleOnPush(base.review),
    origin: file ? 'file' : 'default',
  };
}
