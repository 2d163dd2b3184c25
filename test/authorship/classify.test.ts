/** Table-driven tests of every signal and confidence rule of the classifier. */
import { classifyPullRequest, DEFAULT_AUTHORSHIP_OPTIONS, MAX_REASONS, MAX_REASON_VALUE } from '../../src/authorship/classify.js';
import type { AuthorshipInput, AuthorshipOptions, AuthorshipVerdict, Confidence } from '../../src/authorship/types.js';
import { commit, HUMAN, pr, sha } from './helpers.js';

const COPILOT = { login: 'Copilot', id: 198982749, type: 'Bot' };

interface Case {
  name: string;
  input: AuthorshipInput;
  options?: Partial<AuthorshipOptions>;
  expected: { class: AuthorshipVerdict['class']; agent: string | null; confidence: Confidence | null };
  /** A reason that must be present. */
  signal?: string;
}

function run(c: Pick<Case, 'input' | 'options'>): AuthorshipVerdict {
  return classifyPullRequest(c.input, { ...DEFAULT_AUTHORSHIP_OPTIONS, ...c.options });
}

function check(c: Case): void {
  const verdict = run(c);
  expect({ class: verdict.class, agent: verdict.agent, confidence: verdict.confidence }).toEqual(c.expected);
  if (c.signal) expect(verdict.reasons.map((r) => r.signal)).toContain(c.signal);
}

const agent = (name: string, confidence: Confidence) => ({ class: 'agent' as const, agent: name, confidence });
const human = { class: 'human' as const, agent: null, confidence: null };

describe('PR author (high: an identity the platform controls)', () => {
  const cases: Case[] = [
    {
      name: 'Copilot as REST returns it (login Copilot, id, type Bot)',
      input: pr({ user: COPILOT }),
      expected: agent('copilot', 'high'),
      signal: 'pr_author_id',
    },
    {
      name: 'Copilot by its App login, no id',
      input: pr({ user: { login: 'copilot-swe-agent[bot]', type: 'Bot' } }),
      expected: agent('copilot', 'high'),
      signal: 'pr_author_login',
    },
    {
      name: 'Devin by REST login with [bot]',
      input: pr({ user: { login: 'devin-ai-integration[bot]' } }),
      expected: agent('devin', 'high'),
    },
    {
      name: 'Devin by GraphQL login (no [bot]) with type Bot',
      input: pr({ user: { login: 'devin-ai-integration', type: 'Bot' } }),
      expected: agent('devin', 'high'),
    },
    {
      name: 'Jules by id alone',
      input: pr({ user: { login: 'renamed-login', id: 161369871, type: 'Bot' } }),
      expected: agent('jules', 'high'),
    },
    {
      name: 'Claude GitHub App, GraphQL login with type Bot',
      input: pr({ user: { login: 'claude', type: 'Bot' } }),
      expected: agent('claude-code', 'high'),
    },
    {
      name: 'Cursor agent account (a vendor-run user account)',
      input: pr({ user: { login: 'cursoragent', id: 199161495, type: 'User' } }),
      expected: agent('cursor', 'high'),
    },
    {
      name: 'Amazon Q Developer',
      input: pr({ user: { login: 'amazon-q-developer[bot]', id: 208079219, type: 'Bot' } }),
      expected: agent('amazon-q', 'high'),
    },
    {
      name: 'a person whose login is "claude" is not Claude',
      input: pr({ user: { login: 'claude', id: 81847, type: 'User' } }),
      expected: human,
    },
    {
      name: 'a person whose login is "devin" is not Devin',
      input: pr({ user: { login: 'devin', id: 12345, type: 'User' } }),
      expected: human,
    },
    {
      name: 'a GraphQL-style bot login with type User is not the bot',
      input: pr({ user: { login: 'devin-ai-integration', type: 'User' } }),
      expected: human,
    },
    {
      name: 'login Copilot with another id is someone else',
      input: pr({ user: { login: 'Copilot', id: 5, type: 'User' } }),
      expected: human,
    },
    {
      name: 'an App login with an id the catalog does not know (GitHub Enterprise Server)',
      input: pr({ user: { login: 'devin-ai-integration[bot]', id: 77, type: 'Bot' } }),
      expected: agent('devin', 'high'),
    },
  ];
  test.each(cases)('$name', check);
});

describe('commit identities (medium; high only with a signature GitHub verified)', () => {
  const devinAccount = { login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' };
  const cases: Case[] = [
    {
      name: 'commit authored by the Devin App account',
      input: pr({}, [commit({ author: devinAccount, committer: devinAccount })]),
      expected: agent('devin', 'medium'),
      signal: 'commit_author_id',
    },
    {
      name: 'same commit with a verified signature',
      input: pr({}, [commit({ author: devinAccount, committer: devinAccount, verified: true })]),
      expected: agent('devin', 'high'),
    },
    {
      name: 'Cursor agent email',
      input: pr({}, [commit({ name: 'Cursor Agent', email: 'cursoragent@cursor.com', author: null, committer: null })]),
      expected: agent('cursor', 'medium'),
      signal: 'commit_author_email',
    },
    {
      name: 'Cursor agent email, verified',
      input: pr({}, [commit({ name: 'Cursor Agent', email: 'cursoragent@cursor.com', author: null, committer: null, verified: true })]),
      expected: agent('cursor', 'high'),
    },
    {
      name: "a person's verified signature on a commit whose author line claims the agent stays medium",
      input: pr({}, [
        commit({
          name: 'Cursor Agent',
          email: 'cursoragent@cursor.com',
          committerName: 'Octo Cat',
          committerEmail: 'octocat@example.com',
          author: null,
          committer: HUMAN,
          verified: true,
        }),
      ]),
      expected: agent('cursor', 'medium'),
    },
    {
      name: 'forged Copilot noreply email without a verified signature stays medium',
      input: pr({}, [
        commit({ name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com', author: { login: 'Copilot' }, committer: HUMAN }),
      ]),
      expected: agent('copilot', 'medium'),
    },
    {
      name: 'committer identity counts too',
      input: pr({}, [commit({ committerName: 'openhands', committerEmail: 'openhands@all-hands.dev' })]),
      expected: agent('openhands', 'medium'),
      signal: 'commit_committer_email',
    },
    {
      name: 'Aider author-name suffix',
      input: pr({}, [commit({ name: 'Octo Cat (aider)' })]),
      expected: agent('aider', 'medium'),
      signal: 'commit_author_name',
    },
    {
      name: 'a commit by a person named Claude is not Claude',
      input: pr({}, [commit({ name: 'Claude', email: 'claude@example.com', author: { login: 'claude', id: 81847, type: 'User' } })]),
      expected: human,
    },
    {
      name: "the noreply address of the person 'claude' is not Claude",
      input: pr({}, [commit({ name: 'Claude', email: '81847+claude@users.noreply.github.com', author: null })]),
      expected: human,
    },
    {
      name: 'a commit by a person named Jules is not Jules',
      input: pr({}, [commit({ name: 'Jules', email: 'jules@example.org', author: null })]),
      expected: human,
    },
  ];
  test.each(cases)('$name', check);
});

describe('commit-message trailers and markers (medium)', () => {
  const msg = (trailer: string) => pr({}, [commit({ message: `Do it\n\n${trailer}` })]);
  const cases: Case[] = [
    {
      name: 'Claude Code co-author trailer',
      input: msg('Co-Authored-By: Claude <noreply@anthropic.com>'),
      expected: agent('claude-code', 'medium'),
      signal: 'co_authored_by',
    },
    {
      name: 'Devin App co-author trailer',
      input: msg('Co-authored-by: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>'),
      expected: agent('devin', 'medium'),
    },
    {
      name: 'Aider co-author trailer',
      input: msg('Co-authored-by: aider (openai/gpt-4o) <aider@aider.chat>'),
      expected: agent('aider', 'medium'),
    },
    {
      name: 'Cursor Signed-off-by',
      input: msg('Signed-off-by: Cursor Agent <cursoragent@cursor.com>'),
      expected: agent('cursor', 'medium'),
      signal: 'signed_off_by',
    },
    { name: 'Made-with: Cursor trailer', input: msg('Made-with: Cursor'), expected: agent('cursor', 'medium'), signal: 'commit_trailer' },
    {
      name: 'Amp thread trailer',
      input: msg('Amp-Thread-ID: https://ampcode.com/threads/T-0a1b2c'),
      expected: agent('amp', 'medium'),
      signal: 'commit_trailer',
    },
    {
      name: 'Claude Code on the web session trailer',
      input: msg('Claude-Session: https://claude.ai/code/session_01ABC'),
      expected: agent('claude-code', 'medium'),
    },
    {
      name: 'Claude Code footer in a commit message',
      input: msg('🤖 Generated with [Claude Code](https://claude.ai/code)'),
      expected: agent('claude-code', 'medium'),
      signal: 'commit_message_marker',
    },
    {
      name: 'co-author named Claude with another email is a person',
      input: msg('Co-authored-by: Claude <claude@example.com>'),
      expected: human,
    },
    {
      name: 'co-author named Devin with another email is a person',
      input: msg('Co-authored-by: Devin Smith <devin@example.com>'),
      expected: human,
    },
    {
      name: 'an Anthropic employee is not Claude Code',
      input: msg('Co-Authored-By: ashwin@anthropic.com <ashwin@anthropic.com>'),
      expected: human,
    },
    {
      name: 'Copilot code review suggestion (same name, reviewer id 175728472) makes the PR assisted, not agent',
      input: msg('Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>'),
      expected: { class: 'assisted', agent: 'copilot-code-review', confidence: 'medium' },
    },
    {
      name: 'CodeRabbit suggestion makes the PR assisted, not agent',
      input: msg('Co-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>'),
      expected: { class: 'assisted', agent: 'coderabbit', confidence: 'medium' },
    },
    {
      name: 'Gemini Code Assist suggestion makes the PR assisted, not agent',
      input: msg('Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>'),
      expected: { class: 'assisted', agent: 'gemini-code-assist', confidence: 'medium' },
    },
    { name: 'Made-with: something else', input: msg('Made-with: love'), expected: human },
  ];
  test.each(cases)('$name', check);
});

describe('PR body (markers medium, default layout low)', () => {
  const body = (text: string) => pr({ body: text });
  const cases: Case[] = [
    {
      name: 'Claude Code footer',
      input: body('Adds X.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)'),
      expected: agent('claude-code', 'medium'),
      signal: 'body_marker',
    },
    {
      name: 'Codex task link',
      input: body('## Summary\n- x\n\n------\nhttps://chatgpt.com/codex/tasks/task_e_6843a'),
      expected: agent('codex', 'medium'),
    },
    {
      name: 'Devin run link',
      input: body('Link to Devin run: https://app.devin.ai/sessions/0123abcd\nRequested by: @octocat'),
      expected: agent('devin', 'medium'),
    },
    {
      name: 'Copilot coding agent tips footer',
      input: body('Fixes #1.\n\n💡 Learn more [Copilot coding agent tips](https://gh.io/copilot-coding-agent-tips) in the docs.'),
      expected: agent('copilot', 'medium'),
    },
    {
      name: 'Jules footer',
      input: body('*PR created automatically by Jules for task [1](https://jules.google.com/task/1) started by @octocat*'),
      expected: agent('jules', 'medium'),
    },
    {
      name: 'Cursor background agent footer',
      input: body('<a href="https://cursor.com/background-agent?bcId=bc-1234">Open in Cursor</a>'),
      expected: agent('cursor', 'medium'),
    },
    {
      name: 'a Devin Review badge is a reviewer, not the author',
      input: body('<a href="https://app.devin.ai/review/acme/widgets/pull/42">Open in Devin Review</a>'),
      expected: human,
    },
    {
      name: 'mentioning Claude Code in prose is not the footer',
      input: body('I tried Claude Code and Codex for this but wrote it myself.'),
      expected: human,
    },
    {
      name: 'Codex default layout (Summary / Testing bullet lists)',
      input: body('## Summary\n- fix typo in docs\n- add test\n\n## Testing\n- `npm test` *(fails: network)*\n'),
      expected: agent('codex', 'low'),
      signal: 'body_template',
    },
    {
      name: 'the layout with a paragraph of prose is not the template',
      input: body('I noticed a typo.\n\n## Summary\n- fix typo\n\n## Testing\n- `npm test`'),
      expected: human,
    },
    {
      name: 'Summary / Test plan (another layout) is not the template',
      input: body('## Summary\n- fix typo\n\n## Test plan\n- `npm test`'),
      expected: human,
    },
  ];
  test.each(cases)('$name', check);
});

describe('branches, titles and labels (low)', () => {
  const cases: Case[] = [
    {
      name: 'codex/ head branch',
      input: pr({ head: { ref: 'codex/fix-typo' } }),
      expected: agent('codex', 'low'),
      signal: 'branch_prefix',
    },
    { name: 'cursor/ head branch', input: pr({ head: { ref: 'cursor/fix-login-1a2b' } }), expected: agent('cursor', 'low') },
    { name: 'copilot/ head branch', input: pr({ head: { ref: 'copilot/fix-1234' } }), expected: agent('copilot', 'low') },
    { name: 'devin/ head branch', input: pr({ head: { ref: 'devin/1712345678-add-tests' } }), expected: agent('devin', 'low') },
    {
      name: 'Claude Code action head branch',
      input: pr({ head: { ref: 'claude/issue-12-20250601-1030' } }),
      expected: agent('claude-code', 'low'),
    },
    { name: "a person's devin/ branch namespace", input: pr({ head: { ref: 'devin/refactor-parser' } }), expected: human },
    { name: "a person's claude/ branch namespace", input: pr({ head: { ref: 'claude/fix-typo' } }), expected: human },
    { name: 'a branch that merely contains codex', input: pr({ head: { ref: 'fix/codex-parser' } }), expected: human },
    { name: 'a branch named codex without slash', input: pr({ head: { ref: 'codexfix' } }), expected: human },
    {
      name: 'GitHub-generated title from a codex/ branch',
      input: pr({ title: 'Codex/implement overlay app', head: null }),
      expected: agent('codex', 'low'),
      signal: 'title_branch_prefix',
    },
    { name: 'a title starting "Codex: " is prose', input: pr({ title: 'Codex: add bulk delete' }), expected: human },
    {
      name: 'merge commit naming a codex/ head branch',
      input: pr({ head: null }, [commit({ message: "Merge branch 'main' into codex/add-star-history" })]),
      expected: agent('codex', 'low'),
      signal: 'merge_commit_branch',
    },
    { name: 'codex label', input: pr({ labels: [{ name: 'codex' }] }), expected: agent('codex', 'low'), signal: 'label' },
    { name: 'a label that only contains codex', input: pr({ labels: [{ name: 'codex-review-wanted' }] }), expected: human },
  ];
  test.each(cases)('$name', check);
});

describe('automation', () => {
  const automation = (name: string | null, confidence: Confidence) => ({ class: 'automation' as const, agent: name, confidence });
  const cases: Case[] = [
    {
      name: 'Dependabot PR whose body quotes agent text stays automation',
      input: pr({
        user: { login: 'dependabot[bot]', id: 49699333, type: 'Bot' },
        body: 'Bumps x.\n\nCommits\n- 🤖 Generated with [Claude Code](https://claude.ai/code)\n- Co-Authored-By: Claude <noreply@anthropic.com>',
      }),
      expected: automation('dependabot', 'high'),
    },
    {
      name: 'Renovate PR',
      input: pr({ user: { login: 'renovate[bot]', id: 29139614, type: 'Bot' } }),
      expected: automation('renovate', 'high'),
    },
    {
      name: 'github-actions PR without agent evidence',
      input: pr({ user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' } }),
      expected: automation('github-actions', 'high'),
    },
    {
      name: 'github-actions PR with the Claude Code footer is the agent it ran',
      input: pr({
        user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
        body: 'Generated with [Claude Code](https://claude.ai/code)',
      }),
      expected: agent('claude-code', 'medium'),
    },
    {
      name: 'an unknown App',
      input: pr({ user: { login: 'acme-release[bot]', type: 'Bot' } }),
      expected: automation('acme-release', 'high'),
    },
    {
      name: 'PR listed under a human/org login but every commit by Dependabot',
      input: pr({ user: { login: 'pallets', type: 'User' } }, [
        commit({
          name: 'dependabot[bot]',
          email: '49699333+dependabot[bot]@users.noreply.github.com',
          author: null,
          committer: null,
          committerEmail: 'noreply@github.com',
        }),
      ]),
      expected: automation('dependabot', 'medium'),
    },
    {
      name: 'every commit by an unknown App',
      input: pr({}, [commit({ name: 'acme-ci[bot]', email: '1234+acme-ci[bot]@users.noreply.github.com', author: null })]),
      expected: automation('acme-ci', 'medium'),
    },
    {
      name: 'a bot that commits with its own email (Imgbot) under a person-looking PR author',
      input: pr({ user: { login: 'acme', type: 'Organization' }, head: { ref: 'imgbot' } }, [
        commit({ name: 'ImgBotApp', email: 'ImgBotHelp@gmail.com', author: null, committer: null }),
      ]),
      expected: automation('imgbot', 'medium'),
    },
    {
      name: 'Dependabot branch without commits',
      input: pr({ user: { login: 'numpy', type: 'User' }, head: { ref: 'dependabot/pip/sphinx-4.2.0' } }, []),
      expected: automation('dependabot', 'low'),
    },
    {
      name: 'a human PR with one snapshot commit by github-actions stays human',
      input: pr({}, [
        commit({}),
        commit({
          name: 'github-actions[bot]',
          email: '41898282+github-actions[bot]@users.noreply.github.com',
          author: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
        }),
      ]),
      expected: human,
    },
    {
      name: 'a Dependabot-named branch with human commits stays human',
      input: pr({ head: { ref: 'dependabot/fix-config' } }, [commit({})]),
      expected: human,
    },
    {
      name: 'an AI review bot opening a PR of its own code is an agent',
      input: pr({ user: { login: 'coderabbitai[bot]', id: 136622811, type: 'Bot' }, title: '📝 Add docstrings to `main`' }),
      expected: agent('coderabbit', 'high'),
    },
  ];
  test.each(cases)('$name', check);
});

describe('min_confidence', () => {
  const lowOnly = pr({ head: { ref: 'codex/fix' }, labels: [{ name: 'codex' }] });
  const medium = pr({ body: 'https://chatgpt.com/codex/tasks/task_e_1' });
  const high = pr({ user: COPILOT });
  const cases: Case[] = [
    { name: 'low evidence counts at the default (low)', input: lowOnly, expected: agent('codex', 'low') },
    { name: 'low evidence does not count at medium', input: lowOnly, options: { minConfidence: 'medium' }, expected: human },
    { name: 'medium evidence counts at medium', input: medium, options: { minConfidence: 'medium' }, expected: agent('codex', 'medium') },
    { name: 'medium evidence does not count at high', input: medium, options: { minConfidence: 'high' }, expected: human },
    { name: 'the PR author counts at high', input: high, options: { minConfidence: 'high' }, expected: agent('copilot', 'high') },
  ];
  test.each(cases)('$name', check);

  test('evidence below min_confidence is still reported as a reason', () => {
    const verdict = run({ input: lowOnly, options: { minConfidence: 'medium' } });
    expect(verdict.reasons).toEqual(
      expect.arrayContaining([{ signal: 'branch_prefix', value: 'codex/fix', confidence: 'low', agent: 'codex' }]),
    );
  });
});

describe('which agent when evidence names several', () => {
  test('PR-level evidence (codex label) beats commit-level evidence of another tool', () => {
    const input = pr({ labels: [{ name: 'codex' }] }, [
      commit({}),
      commit({ message: 'Polish\n\nCo-Authored-By: Claude <noreply@anthropic.com>' }),
    ]);
    const verdict = run({ input });
    expect(verdict.agent).toBe('codex');
    // The verdict's own evidence comes first, then the rest.
    expect(verdict.reasons.map((r) => r.agent)).toEqual(['codex', 'claude-code']);
  });
  test('between commit-level agents, the one that made the first commit started the PR', () => {
    const claudeBot = { login: 'claude[bot]', id: 209825114, type: 'Bot' };
    const input = pr({}, [
      commit({ author: { login: 'cursoragent' }, committer: { login: 'cursoragent' } }),
      commit({ author: claudeBot, committer: null }),
      commit({ author: claudeBot, committer: null }),
    ]);
    expect(run({ input }).agent).toBe('cursor');
  });
  test('higher confidence wins at the same level', () => {
    const input = pr({ head: { ref: 'cursor/x' }, body: 'Generated with [Claude Code](https://claude.ai/code)' });
    expect(run({ input })).toMatchObject({ agent: 'claude-code', confidence: 'medium' });
  });
});

describe('human of record', () => {
  test('Copilot: the actor who assigned the agent (timeline)', () => {
    const input = pr(
      { user: COPILOT, assignees: [COPILOT, { login: 'hubot' }] },
      [commit({ author: { login: 'Copilot' } })],
      [{ event: 'assigned', actor: { login: 'monalisa', type: 'User' }, assignee: COPILOT, created_at: '2025-06-01T09:00:00Z' }],
    );
    expect(run({ input }).humanOfRecord).toBe('monalisa');
  });
  test("Copilot without a timeline: the co-author trailer of the agent's commits", () => {
    const input = pr({ user: COPILOT, assignees: [COPILOT] }, [
      commit({
        email: '198982749+Copilot@users.noreply.github.com',
        author: { login: 'Copilot' },
        message: 'Fix\n\nCo-authored-by: MonaLisa <2+MonaLisa@users.noreply.github.com>',
      }),
    ]);
    expect(run({ input }).humanOfRecord).toBe('MonaLisa');
  });
  test('Copilot with only assignees: the human assignee', () => {
    const input = pr({ user: COPILOT, assignees: [COPILOT, { login: 'hubot', type: 'User' }] }, []);
    expect(run({ input }).humanOfRecord).toBe('hubot');
  });
  test('Devin: "Requested by: @login" in the body', () => {
    const input = pr({
      user: { login: 'devin-ai-integration[bot]' },
      body: 'Link to Devin run: https://app.devin.ai/sessions/1\nRequested by: Jane (@jane-doe)',
    });
    expect(run({ input }).humanOfRecord).toBe('jane-doe');
  });
  test('Devin: a "## Requested by" heading with the login on the next line', () => {
    const input = pr({
      user: { login: 'devin-ai-integration[bot]' },
      body: '## Requested by\n\n@jane-doe\n\n## Link to Devin run\nhttps://app.devin.ai/sessions/1',
    });
    expect(run({ input }).humanOfRecord).toBe('jane-doe');
  });
  test('Devin: an email is not a login (its domain is not taken for one)', () => {
    const input = pr({ user: { login: 'devin-ai-integration[bot]' }, body: 'Requested by: Joe Moura (joao@crewai.com)' });
    expect(run({ input }).humanOfRecord).toBeNull();
  });
  test('Jules: "started by @login"', () => {
    const input = pr({
      user: { login: 'google-labs-jules[bot]' },
      body: '*PR created automatically by Jules for task [9](https://jules.google.com/task/9) started by @arii*',
    });
    expect(run({ input }).humanOfRecord).toBe('arii');
  });
  test('agents working under a human account: the PR author', () => {
    const input = pr({ user: { login: 'peter-lawrey', id: 1070321, type: 'User' }, labels: [{ name: 'codex' }] });
    expect(run({ input }).humanOfRecord).toBe('peter-lawrey');
  });
  test('human and automation PRs have none', () => {
    expect(run({ input: pr() }).humanOfRecord).toBeNull();
    expect(run({ input: pr({ user: { login: 'dependabot[bot]' } }) }).humanOfRecord).toBeNull();
  });
});

describe('agent commit share', () => {
  test('one agent commit out of three', () => {
    const agentSha = sha();
    const input = pr({}, [
      commit({}),
      commit({ sha: agentSha, author: { login: 'cursoragent' }, committer: { login: 'cursoragent' } }),
      commit({}),
    ]);
    const verdict = run({ input });
    expect(verdict.agentCommitShare).toBeCloseTo(1 / 3, 10);
    expect(verdict.agentCommitShas).toEqual([agentSha]);
  });
  test('an agent PR finished by a human reads differently from one the agent did alone', () => {
    const bot = { login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' };
    const alone = run({ input: pr({ user: bot }, [commit({ author: bot }), commit({ author: bot })]) });
    const finished = run({ input: pr({ user: bot }, [commit({ author: bot }), commit({}), commit({})]) });
    expect(alone.agentCommitShare).toBe(1);
    expect(finished.agentCommitShare).toBeCloseTo(1 / 3, 10);
  });
  test('no commits: share 0', () => {
    expect(run({ input: pr({ user: COPILOT }, []) })).toMatchObject({ agentCommitShare: 0, agentCommitShas: [] });
  });
  test('commit evidence below min_confidence is not attributed; a verified agent commit is', () => {
    const unverified = pr({ user: COPILOT }, [commit({ email: '198982749+Copilot@users.noreply.github.com', author: null })]);
    const verified = pr({ user: COPILOT }, [commit({ email: '198982749+Copilot@users.noreply.github.com', author: null, verified: true })]);
    expect(run({ input: unverified, options: { minConfidence: 'high' } }).agentCommitShare).toBe(0);
    expect(run({ input: verified, options: { minConfidence: 'high' } }).agentCommitShare).toBe(1);
  });
  test('review-bot suggestions are not agent commits', () => {
    const input = pr({ labels: [{ name: 'codex' }] }, [
      commit({ message: 'Apply suggestions\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>' }),
    ]);
    expect(run({ input }).agentCommitShare).toBe(0);
  });
});

describe('custom agents', () => {
  const acme = {
    name: 'acme-agent',
    logins: ['acme-agent'],
    commit_emails: ['agent@acme.dev'],
    body_markers: ['Generated by AcmeAgent'],
    branch_prefixes: ['acme/'],
    labels: ['acme-ai'],
  };
  const options = { custom: [acme] };
  const cases: Case[] = [
    {
      name: 'PR author with [bot] suffix (declared without)',
      input: pr({ user: { login: 'acme-agent[bot]', type: 'Bot' } }),
      options,
      expected: agent('acme-agent', 'high'),
    },
    {
      name: 'PR author as declared',
      input: pr({ user: { login: 'acme-agent', type: 'User' } }),
      options,
      expected: agent('acme-agent', 'high'),
    },
    {
      name: 'commit email',
      input: pr({}, [commit({ email: 'Agent@Acme.dev', author: null })]),
      options,
      expected: agent('acme-agent', 'medium'),
    },
    {
      name: 'commit email by domain pattern',
      input: pr({}, [commit({ email: 'run-42@agents.acme.dev', author: null })]),
      options: { custom: [{ name: 'acme-fleet', commit_emails: ['*@agents.acme.dev'] }] },
      expected: agent('acme-fleet', 'medium'),
    },
    {
      name: 'co-author trailer with its email',
      input: pr({}, [commit({ message: 'x\n\nCo-authored-by: Acme <agent@acme.dev>' })]),
      options,
      expected: agent('acme-agent', 'medium'),
    },
    {
      name: 'body marker, case-insensitive',
      input: pr({ body: 'text\n\ngenerated by acmeagent v2' }),
      options,
      expected: agent('acme-agent', 'medium'),
    },
    { name: 'branch prefix', input: pr({ head: { ref: 'acme/task-1' } }), options, expected: agent('acme-agent', 'low') },
    { name: 'label', input: pr({ labels: [{ name: 'ACME-AI' }] }), options, expected: agent('acme-agent', 'low') },
    {
      name: 'without the built-in catalog, Copilot is just a bot',
      input: pr({ user: COPILOT }),
      options: { builtin: false },
      expected: { class: 'automation', agent: 'Copilot', confidence: 'high' },
    },
    {
      name: 'without the built-in catalog, codex/ is just a branch',
      input: pr({ head: { ref: 'codex/x' } }),
      options: { builtin: false },
      expected: human,
    },
    {
      name: 'a custom agent declared with a built-in login takes precedence',
      input: pr({ user: { login: 'devin-ai-integration[bot]' } }),
      options: { custom: [{ name: 'our-devin', logins: ['devin-ai-integration[bot]'] }] },
      expected: agent('our-devin', 'high'),
    },
  ];
  test.each(cases)('$name', check);
});

describe('reasons and untrusted input', () => {
  test('reasons are deduplicated, capped, and values clipped', () => {
    const long = `https://chatgpt.com/codex/tasks/${'x'.repeat(1000)}`;
    const commits = Array.from({ length: 300 }, (_, i) => commit({ message: `c${i}\n\nCo-authored-by: aider (m${i}) <aider@aider.chat>` }));
    const verdict = run({ input: pr({ body: long }, commits) });
    expect(verdict.reasons.length).toBe(MAX_REASONS);
    expect(verdict.reasons.every((r) => r.value.length <= MAX_REASON_VALUE + 1)).toBe(true);
    expect(new Set(verdict.reasons.map((r) => `${r.signal}|${r.value}`)).size).toBe(verdict.reasons.length);
  });

  test('null and missing fields are not evidence', () => {
    const input: AuthorshipInput = {
      pull_request: { user: null, body: null, head: null, labels: null, assignees: null, title: null },
      commits: [{ sha: null, commit: null, author: null, committer: null }],
      timeline: null,
    };
    expect(run({ input })).toEqual({
      class: 'human',
      agent: null,
      confidence: null,
      humanOfRecord: null,
      agentCommitShare: 0,
      agentCommitShas: [],
      reasons: [],
    });
    expect(run({ input: {} }).class).toBe('human');
  });

  test('large adversarial bodies are classified quickly (no catastrophic backtracking)', () => {
    const bodies = [
      '#'.repeat(200_000),
      `## Summary\n${'- '.repeat(100_000)}`,
      ' '.repeat(200_000),
      `Requested by ${'@'.repeat(200_000)}`,
      `${"Merge branch '".repeat(10_000)}`,
      `${'a@users.noreply.github.com'.repeat(5_000)}`,
    ];
    const start = process.hrtime.bigint();
    for (const body of bodies) {
      run({ input: pr({ user: { login: 'devin-ai-integration[bot]' }, body, title: body }, [commit({ message: body })]) });
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(ms).toBeLessThan(2000);
  });
});
