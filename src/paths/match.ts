/**
 * Path classification: which sensitive groups a PR's changed files touch. Pure functions; globs are compiled
 * once per configuration with picomatch.
 */
import picomatch from 'picomatch';

/** A changed file as listed by REST "List pull requests files" (`filename`, and `previous_filename` for renames). */
export interface ChangedFile {
  filename: string;
  status?: string;
  previous_filename?: string | null;
}

/** Compiled groups: name → matcher, in precedence order. Build with {@link compilePathGroups}. */
export interface CompiledPathGroups {
  readonly names: readonly string[];
  readonly matchers: ReadonlyMap<string, (path: string) => boolean>;
}

/** One touched group with the files that touched it (paths as in the PR: untrusted). */
export interface TouchedGroup {
  group: string;
  /** Number of changed files in this group. */
  fileCount: number;
  /** The first few matching paths, for the check-run summary. */
  examples: string[];
}

/**
 * Turns one gitignore-style pattern into a picomatch glob:
 * no slash (or only a trailing one) → matches at any depth (`*.pem` → `**\/*.pem`);
 * leading `/` → anchored at the root; trailing `/` → the directory and everything below it.
 * A leading `!` negates (the file is removed from the group).
 */
export function toGlob(pattern: string): { glob: string; negated: boolean } {
  let p = pattern.trim();
  const negated = p.startsWith('!');
  if (negated) p = p.slice(1);
  const directory = p.endsWith('/');
  if (directory) p = p.replace(/\/+$/, '');
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  let glob = anchored ? p : `**/${p}`;
  if (directory) glob = `${glob}/**`;
  return { glob, negated };
}

/**
 * Compiles path groups once. Input: group name → gitignore-style patterns, in precedence order.
 * Output: matchers (dotfiles included, case-sensitive like git). Throws only on a pattern picomatch rejects.
 */
export function compilePathGroups(groups: Readonly<Record<string, readonly string[]>>): CompiledPathGroups {
  const matchers = new Map<string, (path: string) => boolean>();
  for (const [name, patterns] of Object.entries(groups)) {
    const include: string[] = [];
    const exclude: string[] = [];
    for (const pattern of patterns) {
      const { glob, negated } = toGlob(pattern);
      (negated ? exclude : include).push(glob);
    }
    const isIncluded = include.length > 0 ? picomatch(include, { dot: true }) : () => false;
    const isExcluded = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
    matchers.set(name, (path: string) => isIncluded(path) && !isExcluded(path));
  }
  return { names: [...matchers.keys()], matchers };
}

/**
 * Classifies a PR's changed files. A renamed file matches on both its old and its new path, so moving a file out
 * of a sensitive folder still touches that group. Output: touched groups in precedence order, each with up to
 * `maxExamples` example paths.
 */
export function classifyChangedFiles(files: readonly ChangedFile[], groups: CompiledPathGroups, maxExamples = 3): TouchedGroup[] {
  const touched: TouchedGroup[] = [];
  for (const name of groups.names) {
    const matches = groups.matchers.get(name)!;
    let fileCount = 0;
    const examples: string[] = [];
    for (const file of files) {
      const hit = matches(file.filename) || (file.previous_filename ? matches(file.previous_filename) : false);
      if (!hit) continue;
      fileCount += 1;
      if (examples.length < maxExamples) {
        examples.push(
          file.previous_filename && file.previous_filename !== file.filename
            ? `${file.previous_filename} → ${file.filename}`
            : file.filename,
        );
      }
    }
    if (fileCount > 0) touched.push({ group: name, fileCount, examples });
  }
  return touched;
}
