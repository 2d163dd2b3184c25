/** Identity matching and `identifyAccount` (used by the gate to tell agents and bots from human reviewers). */
import { BUILTIN_CATALOG } from '../../src/authorship/catalog.js';
import { DEFAULT_AUTHORSHIP_OPTIONS } from '../../src/authorship/classify.js';
import { identifyAccount, identityIndex, matchEmail, matchEmailRule, parseNoreplyEmail } from '../../src/authorship/identity.js';
import type { AccountInput, AuthorshipOptions } from '../../src/authorship/types.js';

describe('identifyAccount', () => {
  const cases: Array<{ name: string; account: AccountInput | null; expected: ReturnType<typeof identifyAccount> }> = [
    {
      name: 'Copilot coding agent (REST)',
      account: { login: 'Copilot', id: 198982749, type: 'Bot' },
      expected: { class: 'agent', agent: 'copilot', kind: 'agent' },
    },
    {
      name: 'Copilot code review is a review bot',
      account: { login: 'copilot-pull-request-reviewer[bot]', id: 175728472, type: 'Bot' },
      expected: { class: 'automation', agent: 'copilot-code-review', kind: 'review-bot' },
    },
    {
      name: 'Copilot code review by GraphQL login',
      account: { login: 'copilot-pull-request-reviewer', type: 'Bot' },
      expected: { class: 'automation', agent: 'copilot-code-review', kind: 'review-bot' },
    },
    {
      name: 'CodeRabbit',
      account: { login: 'coderabbitai[bot]' },
      expected: { class: 'automation', agent: 'coderabbit', kind: 'review-bot' },
    },
    {
      name: 'Gemini Code Assist by id',
      account: { login: 'whatever', id: 176961590, type: 'Bot' },
      expected: { class: 'automation', agent: 'gemini-code-assist', kind: 'review-bot' },
    },
    {
      name: 'Codex connector App',
      account: { login: 'chatgpt-codex-connector[bot]' },
      expected: { class: 'agent', agent: 'codex', kind: 'agent' },
    },
    {
      name: 'Cursor App (Bugbot, Slack-started PRs)',
      account: { login: 'cursor[bot]', id: 206951365, type: 'Bot' },
      expected: { class: 'agent', agent: 'cursor', kind: 'agent' },
    },
    {
      name: 'Dependabot',
      account: { login: 'dependabot[bot]', id: 49699333, type: 'Bot' },
      expected: { class: 'automation', agent: 'dependabot', kind: 'automation' },
    },
    {
      name: 'an unknown App by [bot] suffix',
      account: { login: 'acme-deployer[bot]' },
      expected: { class: 'automation', agent: 'acme-deployer', kind: 'automation' },
    },
    {
      name: 'an unknown App by type',
      account: { login: 'acme-deployer', type: 'Bot' },
      expected: { class: 'automation', agent: 'acme-deployer', kind: 'automation' },
    },
    { name: 'a person', account: { login: 'octocat', id: 583231, type: 'User' }, expected: null },
    { name: 'a person named claude', account: { login: 'claude', id: 81847, type: 'User' }, expected: null },
    { name: 'a person named cursor', account: { login: 'cursor', type: 'User' }, expected: null },
    { name: 'a person named jules', account: { login: 'jules' }, expected: null },
    { name: 'no account', account: null, expected: null },
  ];
  test.each(cases)('$name', ({ account, expected }) => {
    expect(identifyAccount(account, DEFAULT_AUTHORSHIP_OPTIONS)).toEqual(expected);
  });

  test('custom agents are identified, with or without the [bot] suffix', () => {
    const options: AuthorshipOptions = { ...DEFAULT_AUTHORSHIP_OPTIONS, custom: [{ name: 'acme', logins: ['acme-agent[bot]'] }] };
    expect(identifyAccount({ login: 'acme-agent[bot]' }, options)).toEqual({ class: 'agent', agent: 'acme', kind: 'agent' });
    expect(identifyAccount({ login: 'acme-agent' }, options)).toEqual({ class: 'agent', agent: 'acme', kind: 'agent' });
  });
});

describe('matchEmail', () => {
  const index = identityIndex(DEFAULT_AUTHORSHIP_OPTIONS);
  const cases: Array<[string, string | null]> = [
    ['noreply@anthropic.com', 'claude-code'],
    ['NoReply@Anthropic.com', 'claude-code'],
    ['ashwin@anthropic.com', null],
    ['cursoragent@cursor.com', 'cursor'],
    ['199161495+cursoragent@users.noreply.github.com', 'cursor'],
    ['198982749+Copilot@users.noreply.github.com', 'copilot'],
    ['175728472+Copilot@users.noreply.github.com', 'copilot-code-review'],
    ['158243242+devin-ai-integration[bot]@users.noreply.github.com', 'devin'],
    ['devin-ai-integration[bot]@users.noreply.github.com', 'devin'],
    ['209825114+claude[bot]@users.noreply.github.com', 'claude-code'],
    ['81847+claude@users.noreply.github.com', null],
    ['claude@users.noreply.github.com', null],
    ['12345+cursoragent@users.noreply.github.com', null],
    ['49699333+dependabot[bot]@users.noreply.github.com', 'dependabot'],
    ['octocat@users.noreply.github.com', null],
    ['', null],
  ];
  test.each(cases)('%s → %s', (email, expected) => {
    expect(matchEmail(email, index)?.name ?? null).toBe(expected);
  });
});

test('parseNoreplyEmail', () => {
  expect(parseNoreplyEmail('17039389+harupy@users.noreply.github.com')).toEqual({ id: 17039389, login: 'harupy' });
  expect(parseNoreplyEmail('harupy@users.noreply.github.com')).toEqual({ id: null, login: 'harupy' });
  expect(parseNoreplyEmail('harupy@example.com')).toBeNull();
});

describe('catalog data', () => {
  test('names are unique and every entry cites a source', () => {
    const names = BUILTIN_CATALOG.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of BUILTIN_CATALOG) expect(entry.sources.length).toBeGreaterThan(0);
  });
  test('no two entries claim the same account id, login or email', () => {
    const seen = new Map<string, string>();
    for (const entry of BUILTIN_CATALOG) {
      const keys = [
        ...entry.accounts.flatMap((a) => [`login:${a.login.toLowerCase()}`, ...(a.id !== undefined ? [`id:${a.id}`] : [])]),
        ...entry.emails.map((e) => `email:${e}`),
      ];
      for (const key of new Set(keys)) {
        expect(seen.get(key) ?? entry.name).toBe(entry.name);
        seen.set(key, entry.name);
      }
    }
  });
  test('markers and emails are stored lower-case (they are compared lower-case)', () => {
    for (const entry of BUILTIN_CATALOG) {
      for (const m of [...entry.bodyMarkers, ...entry.emails]) expect(m).toBe(m.toLowerCase());
    }
  });
  test('the catalog covers the agents, automation and review bots the issue names', () => {
    const names = new Set(BUILTIN_CATALOG.map((e) => e.name));
    for (const n of [
      'copilot',
      'claude-code',
      'codex',
      'devin',
      'cursor',
      'jules',
      'amazon-q',
      'openhands',
      'aider',
      'dependabot',
      'renovate',
      'github-actions',
      'pre-commit-ci',
      'snyk',
      'mergify',
      'copilot-code-review',
      'coderabbit',
      'gemini-code-assist',
    ]) {
      expect(names).toContain(n);
    }
  });
});

describe('when a name and an id disagree', () => {
  const index = identityIndex(DEFAULT_AUTHORSHIP_OPTIONS);
  test.each<[string, string, string | null, string | null]>([
    [
      'agent App name with a workflow runner’s id: the login wins',
      '41898282+claude[bot]@users.noreply.github.com',
      'claude-code',
      'noreply-login-over-runner-id',
    ],
    [
      'the runner itself (its own address, derived from the catalog account)',
      '41898282+github-actions[bot]@users.noreply.github.com',
      'github-actions',
      'exact',
    ],
    [
      'the coding agent’s name with the reviewer’s id: the id wins',
      '175728472+Copilot@users.noreply.github.com',
      'copilot-code-review',
      'noreply-id',
    ],
    ['Copilot CLI’s listed address', '223556219+Copilot@users.noreply.github.com', 'copilot', 'exact'],
    ['a known login with an unknown id is another account', '12345+devin-ai-integration[bot]@users.noreply.github.com', null, null],
    ['an id-less App address', 'gemini-cli[bot]@users.noreply.github.com', 'gemini-cli', 'exact'],
    ['a vendor-run user account’s address without id', 'kiro-agent@users.noreply.github.com', 'kiro', 'exact'],
    ['an App address with an id the catalog does not know', '777+gemini-cli[bot]@users.noreply.github.com', 'gemini-cli', 'noreply-login'],
    ['a bare App-user login without id is not enough', 'claude@users.noreply.github.com', null, null],
  ])('%s', (_name, email, entry, rule) => {
    const match = matchEmailRule(email, index);
    expect(match ? [match.entry.name, match.rule] : [null, null]).toEqual([entry, rule]);
  });
});
