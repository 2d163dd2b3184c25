/**
 * Table-driven tests of the identities added for the agents teams use now (issue 12): for each, a positive case in
 * the shape the tool writes, and near misses (a person whose name contains the agent's, an address at the vendor's
 * domain that is not the agent's, a bot account that is not the agent).
 */
import { classifyPullRequest, DEFAULT_AUTHORSHIP_OPTIONS } from '../../src/authorship/classify.js';
import { BUILTIN_AGENTS } from '../../src/authorship/catalog.js';
import type { AccountInput, AuthorshipInput, AuthorshipVerdict, Confidence } from '../../src/authorship/types.js';
import { commit, pr } from './helpers.js';

interface Case {
  name: string;
  input: AuthorshipInput;
  expected: { class: AuthorshipVerdict['class']; agent: string | null; confidence?: Confidence | null };
  signal?: string;
}

function check(c: Case): void {
  const v = classifyPullRequest(c.input, DEFAULT_AUTHORSHIP_OPTIONS);
  expect({ class: v.class, agent: v.agent, ...(c.expected.confidence !== undefined ? { confidence: v.confidence } : {}) }).toEqual(
    c.expected,
  );
  if (c.signal) expect(v.reasons.map((r) => r.signal)).toContain(c.signal);
}

const agent = (name: string, confidence?: Confidence) => ({ class: 'agent' as const, agent: name, ...(confidence ? { confidence } : {}) });
const human = { class: 'human' as const, agent: null };
const automation = (name: string) => ({ class: 'automation' as const, agent: name });

/** A PR opened by `user`, one commit by the same account. */
const openedBy = (user: AccountInput): AuthorshipInput => pr({ user }, [commit({ author: user, committer: user })]);
/** A person's PR whose only commit carries `trailer`. */
const trailer = (line: string): AuthorshipInput => pr({}, [commit({ message: `Change\n\n${line}` })]);
/** A person's PR whose only commit is authored by `name <email>` (no linked account). */
const authoredAs = (name: string, email: string): AuthorshipInput => pr({}, [commit({ name, email, author: null, committer: null })]);
/** A PR by a person from branch `ref`. */
const branch = (ref: string): AuthorshipInput => pr({ head: { ref } });

describe.each<[string, Case[]]>([
  [
    'GitHub Copilot CLI and IDE agent mode',
    [
      {
        name: 'CLI co-author 223556219+Copilot (same name as the coding agent, another id)',
        input: trailer('Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>'),
        expected: agent('copilot', 'medium'),
        signal: 'co_authored_by',
      },
      {
        name: 'VS Code git.addAICoAuthor trailer',
        input: trailer('Co-authored-by: Copilot <copilot@github.com>'),
        expected: agent('copilot', 'medium'),
      },
      { name: 'near miss: a GitHub employee’s address', input: trailer('Co-authored-by: Mona <mona@github.com>'), expected: human },
      {
        name: 'near miss: "Copilot" with an unknown id',
        input: trailer('Co-authored-by: Copilot <99+Copilot@users.noreply.github.com>'),
        expected: human,
      },
      { name: 'near miss: a person named Copilot Smith', input: authoredAs('Copilot Smith', 'copilot.smith@example.com'), expected: human },
    ],
  ],
  [
    'OpenAI Codex CLI, cloud and agent on GitHub',
    [
      {
        name: 'Codex CLI default attribution',
        input: trailer('Co-authored-by: Codex <noreply@openai.com>'),
        expected: agent('codex', 'medium'),
      },
      {
        name: 'Codex co-author account 267193182',
        input: trailer('Co-authored-by: Codex <267193182+codex@users.noreply.github.com>'),
        expected: agent('codex'),
      },
      {
        name: 'Codex agent on GitHub (openai-code-agent, REST user Codex 242516109)',
        input: openedBy({ login: 'Codex', id: 242516109, type: 'Bot' }),
        expected: agent('codex', 'high'),
        signal: 'pr_author_id',
      },
      { name: 'its App login', input: openedBy({ login: 'openai-code-agent[bot]', type: 'Bot' }), expected: agent('codex', 'high') },
      {
        name: 'PR footer',
        input: pr({ body: 'Done.\n\nGenerated with [Codex](https://openai.com/codex)' }),
        expected: agent('codex', 'medium'),
      },
      { name: 'near miss: an OpenAI employee', input: trailer('Co-authored-by: Sam <sam@openai.com>'), expected: human },
      {
        name: 'near miss: the person "codex" (user 267193182) opening a PR',
        input: pr({ user: { login: 'codex', id: 267193182, type: 'User' } }),
        expected: human,
      },
      { name: 'near miss: login Codex without type or id', input: pr({ user: { login: 'Codex' } }), expected: human },
    ],
  ],
  [
    'Claude Code (CLI trailers naming the model, web, Action, agent on GitHub)',
    [
      {
        name: 'trailer naming the model',
        input: trailer('Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>'),
        expected: agent('claude-code', 'medium'),
      },
      {
        name: 'new footer URL',
        input: pr({ body: 'Summary\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)' }),
        expected: agent('claude-code', 'medium'),
      },
      {
        name: 'web session author',
        input: pr({}, [commit({ name: 'Claude Code', email: 'noreply@anthropic.com', author: null, committer: null })]),
        expected: agent('claude-code', 'medium'),
      },
      {
        name: 'Action commit: claude[bot] name with github-actions[bot]’s id (the login wins over a workflow runner’s id)',
        input: pr({ user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' } }, [
          commit({
            name: 'claude[bot]',
            email: '41898282+claude[bot]@users.noreply.github.com',
            author: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
            committer: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
          }),
        ]),
        expected: agent('claude-code', 'medium'),
        signal: 'commit_author_email',
      },
      {
        name: 'Claude agent on GitHub (REST user Claude 242468646)',
        input: openedBy({ login: 'Claude', id: 242468646, type: 'Bot' }),
        expected: agent('claude-code', 'high'),
      },
      {
        name: 'its commit address',
        input: pr({}, [commit({ email: '242468646+Claude@users.noreply.github.com', author: null })]),
        expected: agent('claude-code', 'medium'),
      },
      {
        name: 'near miss: the person "claude" (81847)',
        input: pr({ user: { login: 'claude', id: 81847, type: 'User' } }),
        expected: human,
      },
      { name: 'near miss: an Anthropic employee', input: authoredAs('Ada', 'ada@anthropic.com'), expected: human },
      { name: 'near miss: a name only', input: trailer('Co-Authored-By: Claude'), expected: human },
    ],
  ],
  [
    'Gemini CLI and its GitHub Action',
    [
      {
        name: 'Action commit identity',
        input: authoredAs('gemini-cli[bot]', 'gemini-cli[bot]@users.noreply.github.com'),
        expected: agent('gemini-cli', 'medium'),
      },
      { name: 'App opening the PR', input: openedBy({ login: 'gemini-cli[bot]', type: 'Bot' }), expected: agent('gemini-cli', 'high') },
      {
        name: 'CLI identity as co-author',
        input: trailer('Co-authored-by: Gemini CLI <gemini-cli@google.com>'),
        expected: agent('gemini-cli', 'medium'),
      },
      { name: 'Action branch gemini-issue-<n>', input: branch('gemini-issue-42'), expected: agent('gemini-cli', 'low') },
      { name: 'near miss: gemini-issue-notes', input: branch('gemini-issue-notes'), expected: human },
      { name: 'near miss: a Googler', input: trailer('Co-authored-by: Gem Ini <gemini@google.com>'), expected: human },
      {
        name: 'near miss: gemini-cli-robot (release automation, a user account)',
        input: openedBy({ login: 'gemini-cli-robot', id: 5, type: 'User' }),
        expected: human,
      },
      {
        name: 'near miss: Gemini Code Assist (a reviewer) opening nothing',
        input: trailer('Reviewed-by: gemini-code-assist[bot]'),
        expected: human,
      },
    ],
  ],
  [
    'Factory droids',
    [
      {
        name: 'co-author trailer',
        input: trailer('Co-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>'),
        expected: agent('factory', 'medium'),
      },
      {
        name: 'App opening the PR',
        input: openedBy({ login: 'factory-droid[bot]', id: 138933559, type: 'Bot' }),
        expected: agent('factory', 'high'),
      },
      { name: 'near miss: a person called Droid', input: authoredAs('Droid Factory', 'droid@factory.example'), expected: human },
    ],
  ],
  [
    'Amazon Q Developer',
    [
      {
        name: 'App opening the PR',
        input: openedBy({ login: 'amazon-q-developer[bot]', id: 208079219, type: 'Bot' }),
        expected: agent('amazon-q', 'high'),
      },
      { name: 'its branch Q-DEV-issue-<n>-<time>', input: branch('Q-DEV-issue-12-1759667908'), expected: agent('amazon-q', 'low') },
      { name: 'near miss: an Amazonian', input: trailer('Co-authored-by: Jeff <jeff@amazon.com>'), expected: human },
    ],
  ],
  [
    'OpenHands, all identities',
    [
      {
        name: 'openhands <openhands@all-hands.dev>',
        input: authoredAs('openhands', 'openhands@all-hands.dev'),
        expected: agent('openhands', 'medium'),
      },
      {
        name: 'OpenDevin <opendevin@all-hands.dev> (before the rename)',
        input: authoredAs('OpenDevin', 'opendevin@all-hands.dev'),
        expected: agent('openhands', 'medium'),
      },
      {
        name: 'openhands-agent account',
        input: openedBy({ login: 'openhands-agent', type: 'User' }),
        expected: agent('openhands', 'high'),
      },
      { name: 'OpenHands Cloud App', input: openedBy({ login: 'openhands-ai[bot]', type: 'Bot' }), expected: agent('openhands', 'high') },
      { name: 'resolver branch for a PR', input: branch('openhands-fix-pr-7'), expected: agent('openhands', 'low') },
      { name: 'near miss: an All Hands employee', input: authoredAs('Graham', 'graham@all-hands.dev'), expected: human },
    ],
  ],
  [
    'Cursor',
    [
      {
        name: 'agent body marker',
        input: pr({ body: '<!-- CURSOR_AGENT_PR_BODY_BEGIN -->\nFixes it' }),
        expected: agent('cursor', 'medium'),
      },
      { name: 'agent link variant', input: pr({ body: 'https://cursor.com/agents?id=bc-1234' }), expected: agent('cursor', 'medium') },
      { name: 'near miss: a Cursor employee', input: authoredAs('Michael', 'michael@cursor.com'), expected: human },
      { name: 'near miss: a branch about a text cursor without the prefix', input: branch('fix-cursor-blink'), expected: human },
    ],
  ],
  [
    'Windsurf (Cascade)',
    [
      {
        name: 'Cascade co-author',
        input: trailer('Co-authored-by: Windsurf <windsurf@codeium.com>'),
        expected: agent('windsurf', 'medium'),
      },
      {
        name: 'Cascade at windsurf.ai',
        input: trailer('Co-authored-by: Windsurf Cascade <cascade@windsurf.ai>'),
        expected: agent('windsurf', 'medium'),
      },
      {
        name: 'windsurf-bot co-author',
        input: trailer('Co-authored-by: Cascade <189301087+windsurf-bot[bot]@users.noreply.github.com>'),
        expected: agent('windsurf', 'medium'),
      },
      { name: 'near miss: a Codeium employee', input: authoredAs('Varun', 'varun@codeium.com'), expected: human },
    ],
  ],
  [
    'Kiro',
    [
      {
        name: 'Kiro Agent co-author',
        input: trailer('Co-authored-by: Kiro Agent <244629292+kiro-agent@users.noreply.github.com>'),
        expected: agent('kiro', 'medium'),
      },
      {
        name: 'kiro-agent[bot] opening the PR',
        input: openedBy({ login: 'kiro-agent[bot]', id: 245459735, type: 'Bot' }),
        expected: agent('kiro', 'high'),
      },
      {
        name: 'near miss: a person whose login contains kiro',
        input: pr({ user: { login: 'kirov', id: 9, type: 'User' } }),
        expected: human,
      },
    ],
  ],
  [
    'Sweep, Jules, Amp, Devin',
    [
      { name: 'Sweep App', input: openedBy({ login: 'sweep-ai[bot]', id: 128439645, type: 'Bot' }), expected: agent('sweep', 'high') },
      { name: 'Sweep branch', input: branch('sweep/add-tests'), expected: agent('sweep', 'low') },
      {
        name: 'Jules co-author',
        input: trailer('Co-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>'),
        expected: agent('jules', 'medium'),
      },
      { name: 'Amp thread trailer', input: trailer('Amp-Thread-ID: https://ampcode.com/threads/T-1234'), expected: agent('amp', 'medium') },
      { name: 'Devin trailer variant', input: trailer('Co-Authored-By: Devin <devin@cognition.ai>'), expected: agent('devin', 'medium') },
      { name: 'Devin footer', input: pr({ body: 'Generated with [Devin](https://devin.ai)' }), expected: agent('devin', 'medium') },
      {
        name: 'near miss: a person named Devin at Cognition',
        input: trailer('Co-authored-by: Devin Lee <devin.lee@cognition.ai>'),
        expected: human,
      },
      { name: 'near miss: a person named Jules', input: authoredAs('Jules Verne', 'jules@example.com'), expected: human },
    ],
  ],
  [
    'bots that are not agents',
    [
      { name: 'Dependabot', input: openedBy({ login: 'dependabot[bot]', id: 49699333, type: 'Bot' }), expected: automation('dependabot') },
      { name: 'an unknown App', input: openedBy({ login: 'acme-release[bot]', type: 'Bot' }), expected: automation('acme-release') },
    ],
  ],
])('%s', (_agent, cases) => {
  test.each(cases)('$name', check);
});

test('every built-in agent names the source of its identities', () => {
  const missing: string[] = [];
  for (const entry of BUILTIN_AGENTS) {
    expect(entry.sources.length).toBeGreaterThan(0);
    const text = entry.sources.join('\n').toLowerCase();
    // Every account login and every address is named in a source line (for noreply addresses, its id+login part).
    for (const account of entry.accounts) if (!text.includes(account.login.toLowerCase())) missing.push(`${entry.name}: ${account.login}`);
    for (const email of entry.emails) {
      const key = email.endsWith('@users.noreply.github.com') ? email.slice(0, email.indexOf('@')) : email;
      if (!text.includes(key)) missing.push(`${entry.name}: ${email}`);
    }
    for (const t of entry.trailers) if (!text.includes(t.key.toLowerCase())) missing.push(`${entry.name}: ${t.key}`);
  }
  expect(missing).toEqual([]);
});

describe('agents.custom expresses every kind of identity the catalog uses', () => {
  const options = {
    ...DEFAULT_AUTHORSHIP_OPTIONS,
    custom: [
      {
        name: 'acme',
        accounts: [
          { login: 'Acme', id: 9001, type: 'Bot' as const },
          { login: 'acme-agent[bot]', id: 9001 },
        ],
        commit_emails: ['agent@acme.dev'],
        author_name_suffixes: [' (acme)'],
        trailers: [{ key: 'Acme-Session', value_prefix: 'https://acme.dev/s/' }],
        body_markers: ['Made by Acme'],
        body_template: ['What', 'Checks'],
        branch_prefixes_before_digit: ['acme/'],
        labels: ['acme-ai'],
      },
      { name: 'acme-review', kind: 'review-bot' as const, accounts: [{ login: 'acme-review[bot]', id: 9002 }] },
    ],
  };
  const run = (input: AuthorshipInput) => {
    const v = classifyPullRequest(input, options);
    return { class: v.class, agent: v.agent, confidence: v.confidence };
  };

  test.each<[string, AuthorshipInput, ReturnType<typeof run>]>([
    [
      'account by id, whatever the login',
      pr({ user: { login: 'renamed', id: 9001, type: 'Bot' } }),
      { class: 'agent', agent: 'acme', confidence: 'high' },
    ],
    [
      'the App user login with type Bot',
      pr({ user: { login: 'Acme', type: 'Bot' } }),
      { class: 'agent', agent: 'acme', confidence: 'high' },
    ],
    [
      'near miss: a person "acme" with another id',
      pr({ user: { login: 'acme', id: 5, type: 'User' } }),
      { class: 'human', agent: null, confidence: null },
    ],
    [
      'its noreply address',
      pr({}, [commit({ email: '9001+acme-agent[bot]@users.noreply.github.com', author: null })]),
      { class: 'agent', agent: 'acme', confidence: 'medium' },
    ],
    [
      'author-name suffix (assistance: the person’s identity, marked)',
      pr({}, [commit({ name: 'Octo Cat (acme)' }), commit({}), commit({})]),
      { class: 'assisted', agent: 'acme', confidence: 'medium' },
    ],
    [
      'trailer',
      pr({}, [commit({ message: 'x\n\nAcme-Session: https://acme.dev/s/42' })]),
      { class: 'agent', agent: 'acme', confidence: 'medium' },
    ],
    [
      'near miss: trailer with another value',
      pr({}, [commit({ message: 'x\n\nAcme-Session: none' })]),
      { class: 'human', agent: null, confidence: null },
    ],
    ['body layout', pr({ body: '## What\n- a\n## Checks\n- b' }), { class: 'agent', agent: 'acme', confidence: 'low' }],
    ['branch prefix before a digit', pr({ head: { ref: 'acme/1712345678-fix' } }), { class: 'agent', agent: 'acme', confidence: 'low' }],
    ['near miss: a person’s acme/ branch', pr({ head: { ref: 'acme/notes' } }), { class: 'human', agent: null, confidence: null }],
    [
      'a custom review bot’s applied suggestion',
      pr({}, [commit({ message: 'Apply\n\nCo-authored-by: acme-review[bot] <9002+acme-review[bot]@users.noreply.github.com>' })]),
      { class: 'assisted', agent: 'acme-review', confidence: 'medium' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(run(input)).toEqual(expected);
  });

  test('the configuration schema accepts those fields', async () => {
    const { validateConfig } = await import('../../src/config/load.js');
    const result = validateConfig({ agents: { custom: options.custom } }, 'test');
    expect(result.ok).toBe(true);
  });
});
