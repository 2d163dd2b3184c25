/**
 * Linear-time parsing of untrusted PR and commit text: trailers, merge-commit subjects, @mentions, body layout.
 * No regular expression here runs over unbounded input with nested or overlapping quantifiers.
 */

/** One `Key: value` trailer line of a commit message (key as written, value trimmed). */
export interface Trailer {
  key: string;
  value: string;
}

const TRAILER_KEY = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/**
 * Trailer-like lines (`Key: value`) anywhere in a commit message. Git only treats the last paragraph as trailers,
 * but squash merges and tools indent or move them, so every line is considered; keys are limited to 64 characters.
 */
export function parseTrailers(message: string): Trailer[] {
  const out: Trailer[] = [];
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon <= 0 || colon > 64) continue;
    const key = line.slice(0, colon);
    if (!TRAILER_KEY.test(key)) continue;
    // `Key: value` has a blank after the colon; `https://...` does not.
    const after = line[colon + 1];
    if (after !== undefined && after !== ' ' && after !== '\t') continue;
    out.push({ key, value: line.slice(colon + 1).trim() });
  }
  return out;
}

/** Splits `Name <email>` (as in `Co-authored-by`) into its parts; the email is null when there are no angle brackets. */
export function parseNameEmail(value: string): { name: string; email: string | null } {
  const open = value.lastIndexOf('<');
  const close = value.lastIndexOf('>');
  if (open < 0 || close < open) return { name: value.trim(), email: null };
  return { name: value.slice(0, open).trim(), email: value.slice(open + 1, close).trim() };
}

/**
 * The branch a merge commit was made on, from git's default subjects `Merge branch 'x' into y`,
 * `Merge branch 'x' of url into y` and `Merge remote-tracking branch 'x' into y`. A merge commit inside a PR
 * names the PR's head branch. Returns null for other subjects.
 */
export function mergeTargetBranch(message: string): string | null {
  const newline = message.indexOf('\n');
  const subject = (newline < 0 ? message : message.slice(0, newline)).trim();
  if (!subject.startsWith('Merge branch ') && !subject.startsWith('Merge remote-tracking branch ')) return null;
  const into = subject.lastIndexOf(' into ');
  if (into < 0) return null;
  const target = subject.slice(into + ' into '.length).trim();
  if (target === '' || target.includes(' ')) return null;
  return target;
}

function isLoginChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-';
}

/**
 * The first GitHub login in `text`: an `@login` mention not preceded by a word character (so not the domain of an
 * email), or the login of a GitHub noreply address (`123+login@users.noreply.github.com`). Null when none.
 */
export function firstMentionedLogin(text: string): string | null {
  const lower = text.toLowerCase();
  const noreply = lower.indexOf('@users.noreply.github.com');
  let noreplyLogin: string | null = null;
  let noreplyAt = -1;
  if (noreply > 0) {
    let start = noreply;
    while (start > 0 && (isLoginChar(text[start - 1]!) || text[start - 1] === '+' || text[start - 1] === '[' || text[start - 1] === ']'))
      start--;
    const local = text.slice(start, noreply);
    const plus = local.indexOf('+');
    const login = plus >= 0 ? local.slice(plus + 1) : local;
    if (login !== '' && !login.endsWith('[bot]')) {
      noreplyLogin = login;
      noreplyAt = start;
    }
  }
  for (let i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i + 1)) {
    if (noreplyAt >= 0 && i > noreplyAt) break;
    const before = i > 0 ? text[i - 1]! : ' ';
    if (isLoginChar(before) || before === '.' || before === '_' || before === '+') continue;
    let end = i + 1;
    while (end < text.length && end - i <= 39 && isLoginChar(text[end]!)) end++;
    const login = text.slice(i + 1, end);
    if (login === '' || login.startsWith('-')) continue;
    // `@login.example.com` is not a mention either.
    if (text[end] === '.' && end + 1 < text.length && isLoginChar(text[end + 1]!)) continue;
    return login;
  }
  return noreplyLogin;
}

/**
 * The first login mentioned on the line of `body` that contains `marker` (case-insensitive), after the marker,
 * or else on the next non-blank line (for `## Requested by` headings). Null when the marker or a login is missing.
 */
export function loginNearMarker(body: string, bodyLower: string, marker: string): string | null {
  const at = bodyLower.indexOf(marker.toLowerCase());
  if (at < 0) return null;
  const lineEnd = body.indexOf('\n', at);
  const rest = body.slice(at + marker.length, lineEnd < 0 ? body.length : lineEnd);
  const onLine = firstMentionedLogin(rest);
  if (onLine) return onLine;
  if (lineEnd < 0) return null;
  let next = lineEnd + 1;
  // Skip blank lines, then read one line (bounded, untrusted text).
  while (next < body.length && (body[next] === '\n' || body[next] === '\r' || body[next] === ' ')) next++;
  const nextEnd = body.indexOf('\n', next);
  const line = body.slice(next, Math.min(nextEnd < 0 ? body.length : nextEnd, next + 500));
  if (line.startsWith('#')) return null;
  return firstMentionedLogin(line);
}

function headingText(line: string): string {
  let start = 0;
  while (start < line.length && line[start] === '#') start++;
  let text = line.slice(start).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  text = text.slice(0, end).trim();
  if (text.startsWith('**') && text.endsWith('**') && text.length > 4) text = text.slice(2, -2).trim();
  return text.toLowerCase();
}

function isBullet(line: string): boolean {
  return line.startsWith('- ') || line.startsWith('* ') || line === '-' || line === '*';
}

/**
 * True when the body is exactly the given markdown sections, in order, each a non-empty bullet list (continuation
 * lines indented): the layout some tools write by default (Codex: `## Summary` then `## Testing`). Text outside
 * the sections (an introduction, an extra heading, a paragraph) makes it false. Headings compare case-insensitively.
 */
export function matchesBodyTemplate(body: string, headings: readonly string[]): boolean {
  if (headings.length === 0 || body.length > 20_000) return false;
  const wanted = headings.map((h) => h.toLowerCase());
  let section = -1;
  let bullets = 0;
  for (const raw of body.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (section >= 0 && bullets === 0) return false;
      section++;
      if (section >= wanted.length || headingText(line) !== wanted[section]) return false;
      bullets = 0;
      continue;
    }
    if (section < 0) return false;
    if (isBullet(line)) bullets++;
    else if (!(bullets > 0 && (line.startsWith(' ') || line.startsWith('\t')))) return false;
  }
  return section === wanted.length - 1 && bullets > 0;
}
