/**
 * The shapes `ai-review classify` reads, turned into the classifier's input (`AuthorshipInput`, GitHub REST shapes):
 * - REST: `{"pull_request": {...}, "commits"?: [...], "timeline"?: [...]}` (what the app and the data sets use);
 * - GitHub CLI: one element of `gh pr list --json number,title,body,author,headRefName,labels,commits` (GraphQL
 *   field names; `author` is `{"is_bot": false, "login", "id", "name"}` for people and `{"is_bot": true, "login":
 *   "app/<slug>"}` for Apps, per cli/cli api/queries_issue.go `Author.MarshalJSON`).
 * Pure; never throws.
 */
import type { AccountInput, AuthorshipInput, CommitInput } from './types.js';

/** The result of reading one value: the input, or why it is not a pull request. */
export type ReadResult = { ok: true; input: AuthorshipInput; shape: 'rest' | 'gh' } | { ok: false; problem: string };

/** gh fields that only a pull request has: a line with commits or labels alone is not one. */
const GH_PR_FIELDS = ['number', 'title', 'author', 'headRefName'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * The numeric database id inside a GraphQL node id, or null: legacy ids are base64 of `NN:Type<digits>`
 * (`MDQ6VXNlcjU4MzIzMQ==` → 583231); newer ones are `<PREFIX>_` + base64url of a MessagePack array `[0, id]`
 * (`U_kgDOBJ0s1w`). Source: GitHub docs "Using global node IDs" and the migration guide to the new ID format.
 */
export function databaseIdFromNodeId(nodeId: string): number | null {
  if (nodeId === '' || nodeId.length > 100) return null;
  const underscore = nodeId.indexOf('_');
  if (underscore > 0) {
    const bytes = Buffer.from(nodeId.slice(underscore + 1), 'base64url');
    // fixarray of 2 (0x92), first element 0, then a MessagePack unsigned integer.
    if (bytes.length < 3 || bytes[0] !== 0x92 || bytes[1] !== 0x00) return null;
    const tag = bytes[2]!;
    if (tag <= 0x7f) return tag;
    if (tag === 0xcc && bytes.length >= 4) return bytes.readUInt8(3);
    if (tag === 0xcd && bytes.length >= 5) return bytes.readUInt16BE(3);
    if (tag === 0xce && bytes.length >= 7) return bytes.readUInt32BE(3);
    if (tag === 0xcf && bytes.length >= 11) {
      const big = bytes.readBigUInt64BE(3);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : null;
    }
    return null;
  }
  const decoded = Buffer.from(nodeId, 'base64').toString('latin1');
  const match = /^\d{2}:[A-Za-z]+?(\d{1,15})$/.exec(decoded);
  return match ? Number(match[1]) : null;
}

/** A `gh` author object as a REST account: `app/<slug>` → `<slug>[bot]`, type `Bot`; people keep their login. */
export function accountFromGhAuthor(author: unknown): AccountInput | null {
  if (!isObject(author)) return null;
  const login = str(author.login) ?? '';
  const isBot = author.is_bot === true || login.startsWith('app/');
  const nodeId = str(author.id);
  const id = nodeId !== null ? databaseIdFromNodeId(nodeId) : null;
  if (isBot) {
    const slug = login.startsWith('app/') ? login.slice('app/'.length) : login;
    if (slug === '') return null;
    return { login: slug.endsWith('[bot]') ? slug : `${slug}[bot]`, type: 'Bot', ...(id !== null ? { id } : {}) };
  }
  if (login === '') return null;
  return { login, type: 'User', ...(id !== null ? { id } : {}) };
}

/** A `gh` commit (`oid`, `messageHeadline`, `messageBody`, `authors[]`, dates) as a REST "list commits" item. */
function commitFromGh(value: unknown): CommitInput {
  if (!isObject(value)) return {};
  const headline = str(value.messageHeadline) ?? '';
  const body = str(value.messageBody) ?? '';
  const authors = Array.isArray(value.authors) ? value.authors.filter(isObject) : [];
  const first = authors[0];
  const login = first ? (str(first.login) ?? '') : '';
  const nodeId = first ? str(first.id) : null;
  const id = nodeId !== null ? databaseIdFromNodeId(nodeId) : null;
  return {
    sha: str(value.oid),
    commit: {
      message: body === '' ? headline : `${headline}\n\n${body}`,
      author: first ? { name: str(first.name), email: str(first.email), date: str(value.authoredDate) } : null,
      committer: null,
    },
    // gh gives no account type; a login is kept so that a matching id or an App login can still be read.
    author: login !== '' ? { login, ...(id !== null ? { id } : {}) } : null,
    committer: null,
  };
}

/** A `gh pr list --json number,title,body,author,headRefName,labels,commits` element as `AuthorshipInput`. */
export function fromGhPullRequest(value: Record<string, unknown>): AuthorshipInput {
  const labels = Array.isArray(value.labels) ? value.labels.filter(isObject).map((l) => ({ name: str(l.name) })) : [];
  const ref = str(value.headRefName);
  return {
    pull_request: {
      number: typeof value.number === 'number' ? value.number : null,
      title: str(value.title),
      body: str(value.body),
      user: accountFromGhAuthor(value.author),
      head: ref !== null ? { ref } : null,
      labels,
    },
    commits: Array.isArray(value.commits) ? value.commits.map(commitFromGh) : null,
  };
}

/**
 * Reads one JSON value as a pull request: the REST shape when it has a `pull_request` object, the `gh` shape when it
 * has no `pull_request` but one of gh's pull-request fields (`number`, `title`, `author`, `headRefName`). Anything else (an array, a string, an object with neither)
 * is not a pull request, with the reason. Container types are checked: `commits` must be an array, `pull_request`
 * an object.
 */
export function readPullRequest(value: unknown): ReadResult {
  if (!isObject(value)) return { ok: false, problem: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}` };
  if ('pull_request' in value) {
    if (!isObject(value.pull_request)) return { ok: false, problem: '"pull_request" must be an object' };
    for (const key of ['commits', 'timeline'] as const) {
      if (value[key] !== undefined && value[key] !== null && !Array.isArray(value[key])) {
        return { ok: false, problem: `"${key}" must be an array` };
      }
    }
    return { ok: true, input: value, shape: 'rest' };
  }
  if (GH_PR_FIELDS.some((f) => f in value)) {
    if (value.commits !== undefined && value.commits !== null && !Array.isArray(value.commits)) {
      return { ok: false, problem: '"commits" must be an array' };
    }
    if (value.author !== undefined && value.author !== null && !isObject(value.author))
      return { ok: false, problem: '"author" must be an object' };
    return { ok: true, input: fromGhPullRequest(value), shape: 'gh' };
  }
  return {
    ok: false,
    problem:
      'no "pull_request" object (REST shape) and none of the fields of `gh pr list --json number,title,body,author,headRefName,labels,commits`',
  };
}
