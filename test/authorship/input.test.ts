/** Reading the shapes `ai-review classify` accepts: REST lines and `gh pr list --json` elements. */
import { accountFromGhAuthor, databaseIdFromNodeId, fromGhPullRequest, readPullRequest } from '../../src/authorship/input.js';

describe('databaseIdFromNodeId', () => {
  test.each<[string, number | null]>([
    ['MDQ6VXNlcjU4MzIzMQ==', 583231], // legacy "04:User583231"
    ['MDM6Qm90NDk2OTkzMzM=', 49699333], // legacy "03:Bot49699333" (dependabot[bot])
    ['U_kgDOC9w8XQ', 198982749], // new format: MessagePack [0, 198982749]
    ['BOT_kgDOC9w8XQ', 198982749],
    ['U_kgAH', 7], // positive fixint
    ['', null],
    ['not-an-id', null],
    ['U_kwDO', null], // not [0, id]
  ])('%s → %s', (nodeId, id) => {
    expect(databaseIdFromNodeId(nodeId)).toBe(id);
  });
});

describe('accountFromGhAuthor', () => {
  test.each<[unknown, unknown]>([
    [
      { is_bot: true, login: 'app/copilot-swe-agent' },
      { login: 'copilot-swe-agent[bot]', type: 'Bot' },
    ],
    [
      { is_bot: true, login: 'app/dependabot', id: 'MDM6Qm90NDk2OTkzMzM=' },
      { login: 'dependabot[bot]', type: 'Bot', id: 49699333 },
    ],
    [
      { id: 'MDQ6VXNlcjU4MzIzMQ==', is_bot: false, login: 'octocat', name: 'The Octocat' },
      { login: 'octocat', type: 'User', id: 583231 },
    ],
    [{ is_bot: true, login: 'app/' }, null],
    [null, null],
  ])('%j', (author, expected) => {
    expect(accountFromGhAuthor(author)).toEqual(expected);
  });
});

test('a gh element becomes REST shapes', () => {
  const input = fromGhPullRequest({
    number: 5,
    title: 't',
    body: 'b',
    author: { is_bot: false, login: 'mona', id: 'MDQ6VXNlcjU4MzIzMQ==' },
    headRefName: 'feature',
    labels: [{ name: 'codex', color: 'fff' }],
    commits: [
      {
        oid: 'c'.repeat(40),
        messageHeadline: 'Head',
        messageBody: 'Body',
        authors: [{ name: 'Mona', email: 'm@example.com', login: 'mona', id: '' }],
      },
    ],
  });
  expect(input).toEqual({
    pull_request: {
      number: 5,
      title: 't',
      body: 'b',
      user: { login: 'mona', type: 'User', id: 583231 },
      head: { ref: 'feature' },
      labels: [{ name: 'codex' }],
    },
    commits: [
      {
        sha: 'c'.repeat(40),
        commit: { message: 'Head\n\nBody', author: { name: 'Mona', email: 'm@example.com', date: null }, committer: null },
        author: { login: 'mona' },
        committer: null,
      },
    ],
  });
});

test.each<[string, unknown, string]>([
  ['array', [], 'expected a JSON object, got an array'],
  ['string', 'x', 'expected a JSON object, got string'],
  ['pull_request not an object', { pull_request: 'x' }, '"pull_request" must be an object'],
  ['timeline not an array', { pull_request: {}, timeline: {} }, '"timeline" must be an array'],
  ['gh commits not an array', { number: 1, commits: {} }, '"commits" must be an array'],
  ['gh author not an object', { number: 1, author: 'mona' }, '"author" must be an object'],
  ['commits alone', { commits: [] }, 'no "pull_request" object'],
])('not a pull request: %s', (_name, value, problem) => {
  const result = readPullRequest(value);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.problem).toContain(problem);
});
