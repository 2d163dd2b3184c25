/**
 * CODEOWNERS: parsing and matching with GitHub's rules, pure (the GitHub shell reads the file, this module only
 * sees its text). Source of the rules: GitHub Docs, "About code owners" (CODEOWNERS syntax, file locations, size).
 *
 * - Locations, in GitHub's order: `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`; the first one found on the
 *   base (default) branch is used.
 * - Each line is a pattern followed by owners (`@user`, `@org/team`, an email address); `#` starts a comment (also
 *   after a line's owners). A pattern with no owners un-owns what it matches. The last matching line wins.
 * - Patterns follow gitignore, except that GitHub does not support `!` negation, `[ ]` character ranges or escaping
 *   a leading `#`, and `docs/*` matches only files directly in `docs/` (not `docs/a/b.md`, unlike gitignore).
 * - A line with invalid syntax is skipped by GitHub (and here); the problems are reported with their line.
 * - Paths are case-sensitive. Files over 3 MB are not loaded by GitHub.
 *
 * Globs are matched by picomatch (the project's glob engine); this module only translates GitHub's pattern rules
 * into picomatch globs. `ignore` (gitignore semantics) was not used because gitignore lets `docs/*` match
 * `docs/a/b.md` through its directory `docs/a`, which GitHub documents it does not do.
 */
import picomatch from 'picomatch';

/** Where GitHub looks for CODEOWNERS, in order; the first file found is the one used. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** GitHub does not load a CODEOWNERS file of 3 MB or more. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

/** One owner as written: `@user`, `@org/team` or an email address. */
export type CodeOwner = { kind: 'user'; login: string } | { kind: 'team'; team: string } | { kind: 'email'; email: string };

/** One valid line: pattern and owners (empty: the pattern un-owns what it matches). `line` is 1-based. */
export interface CodeownersEntry {
  line: number;
  pattern: string;
  /** Owners as written (`@Alice`, `@acme/Web`, `dev@acme.dev`), in file order. */
  owners: string[];
}

/** A line GitHub would reject (and skip). `line` is 1-based; `source` is the line's text. */
export interface CodeownersProblem {
  line: number;
  kind: 'Invalid pattern' | 'Invalid owner' | 'File too large';
  message: string;
  source: string;
}

/** A parsed CODEOWNERS file: where it was read from, its valid lines and the lines GitHub would reject. */
export interface ParsedCodeowners {
  path: string;
  entries: CodeownersEntry[];
  problems: CodeownersProblem[];
  /** Owner of a path (the last matching line), or null when no line matches. */
  ownerOf(file: string): CodeownersEntry | null;
}

const LOGIN = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Classifies an owner token, or returns null when GitHub would reject it. Logins and teams compare in lower case. */
export function parseOwner(token: string): CodeOwner | null {
  if (TEAM.test(token)) return { kind: 'team', team: token.toLowerCase() };
  if (LOGIN.test(token)) return { kind: 'user', login: token.slice(1).toLowerCase() };
  if (EMAIL.test(token)) return { kind: 'email', email: token.toLowerCase() };
  return null;
}

/** Splits a line into tokens at unescaped whitespace, dropping an unescaped `#` comment that starts a token. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let escaped = false;
  for (const ch of line) {
    if (escaped) {
      current += `\\${ch}`;
      escaped = false;
    } else if (ch === '\\') escaped = true;
    else if (ch === ' ' || ch === '\t') {
      if (current !== '') tokens.push(current);
      current = '';
    } else if (ch === '#' && current === '') break;
    else current += ch;
  }
  if (escaped) current += '\\';
  if (current !== '') tokens.push(current);
  return tokens;
}

/** Why GitHub rejects a pattern, or null. */
function patternProblem(pattern: string): string | null {
  if (pattern.startsWith('!')) return 'negation with "!" is not supported in CODEOWNERS';
  if (/[[\]]/.test(pattern)) return 'character ranges with "[ ]" are not supported in CODEOWNERS';
  if (pattern.startsWith('\\#')) return 'escaping a leading "#" is not supported in CODEOWNERS';
  if (pattern.includes('***')) return 'a pattern cannot contain three consecutive asterisks';
  if (pattern === '/') return 'the pattern "/" never matches anything; use "*" for every file';
  return null;
}

/** Escapes picomatch syntax that CODEOWNERS treats literally (braces, extglobs, parentheses); keeps `*`, `?` and `\x`. */
function escapeGlobSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '\\' && i + 1 < segment.length) {
      out += `\\${segment[++i]}`;
    } else if ('(){}!+@|^$,'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * Translates one CODEOWNERS pattern into picomatch globs with GitHub's rules: a leading `/` anchors at the root;
 * a pattern of one segment (optionally with a trailing `/`) matches at any depth; a trailing `/` matches everything
 * below that directory; a last segment `*` matches only direct children; any other last segment also matches
 * everything below a directory of that name.
 */
export function codeownersGlobs(pattern: string): string[] {
  let p = pattern;
  const anchored = p.startsWith('/');
  if (anchored) p = p.slice(1);
  const directory = p.endsWith('/');
  if (directory) p = p.replace(/\/+$/, '');
  if (p === '') return [];
  const segments = p.split('/').map(escapeGlobSegment);
  if (!anchored && segments.length === 1 && segments[0] !== '**') segments.unshift('**');
  const glob = segments.join('/');
  const last = segments[segments.length - 1];
  if (directory) return [`${glob}/**`];
  if (last === '*' || last === '**') return [glob];
  return [glob, `${glob}/**`];
}

/**
 * Parses CODEOWNERS text read from `path`. Never throws: lines GitHub would reject are skipped and returned as
 * problems (pattern or owner syntax; a file of 3 MB or more is ignored whole, like GitHub does).
 */
export function parseCodeowners(content: string, path: string): ParsedCodeowners {
  const entries: CodeownersEntry[] = [];
  const problems: CodeownersProblem[] = [];
  if (Buffer.byteLength(content, 'utf8') >= CODEOWNERS_MAX_BYTES) {
    problems.push({
      line: 1,
      kind: 'File too large',
      message: 'CODEOWNERS files must be under 3 MB; GitHub ignores this one',
      source: '',
    });
    return withMatcher(path, [], problems);
  }
  content.split('\n').forEach((raw, index) => {
    const source = raw.replace(/\r$/, '');
    const tokens = tokenize(source.trim());
    if (tokens.length === 0) return;
    const [pattern, ...owners] = tokens as [string, ...string[]];
    const line = index + 1;
    const badPattern = patternProblem(pattern);
    if (badPattern) {
      problems.push({ line, kind: 'Invalid pattern', message: badPattern, source });
      return;
    }
    const badOwners = owners.filter((o) => parseOwner(o) === null);
    if (badOwners.length > 0) {
      problems.push({
        line,
        kind: 'Invalid owner',
        message: `${badOwners.map((o) => `"${o}"`).join(', ')} ${badOwners.length === 1 ? 'is' : 'are'} not @user, @org/team or an email address`,
        source,
      });
      return;
    }
    entries.push({ line, pattern, owners });
  });
  return withMatcher(path, entries, problems);
}

/** Paths whose owner a parsed file remembers (a PR lists at most 3,000 files; renames count twice). */
const MAX_REMEMBERED_PATHS = 20_000;

function withMatcher(path: string, entries: CodeownersEntry[], problems: CodeownersProblem[]): ParsedCodeowners {
  const options = { dot: true, nobrace: true, noextglob: true, nonegate: true };
  // One regular expression per line (picomatch's, alternated): testing a RegExp directly is ~10x cheaper than
  // calling picomatch's matcher function, and a PR times a CODEOWNERS file can be 3,000 × thousands of lines.
  // An anchored pattern's literal start (`src/web/` of `/src/web/**`) rules most paths out before any regex runs.
  const matchers = entries.map((entry) => {
    const globs = codeownersGlobs(entry.pattern);
    if (globs.length === 0) return () => false;
    const re = new RegExp(globs.map((g) => picomatch.makeRe(g, options).source).join('|'));
    const first = globs[0]!;
    const prefix = first.slice(0, first.search(/[*?\\]|$/));
    return prefix === '' ? (file: string) => re.test(file) : (file: string) => file.startsWith(prefix) && re.test(file);
  });
  const owners = new Map<string, CodeownersEntry | null>();
  return {
    path,
    entries,
    problems,
    ownerOf(file: string): CodeownersEntry | null {
      const known = owners.get(file);
      if (known !== undefined) return known;
      let found: CodeownersEntry | null = null;
      for (let i = entries.length - 1; i >= 0; i--) {
        if (matchers[i]!(file)) {
          found = entries[i]!;
          break;
        }
      }
      if (owners.size < MAX_REMEMBERED_PATHS) owners.set(file, found);
      return found;
    },
  };
}

const parsedCache = new Map<string, ParsedCodeowners>();
const PARSED_CACHE_LIMIT = 64;

/** {@link parseCodeowners}, cached by path and content (the same file is evaluated on every delivery). */
export function parseCodeownersCached(content: string, path: string): ParsedCodeowners {
  const key = `${path}\u0000${content}`;
  let parsed = parsedCache.get(key);
  if (!parsed) {
    parsed = parseCodeowners(content, path);
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.delete(parsedCache.keys().next().value!);
    parsedCache.set(key, parsed);
  }
  return parsed;
}
