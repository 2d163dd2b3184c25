/**
 * `ai-review classify`: REST JSON Lines and `gh pr list --json` output in, verdict lines, summary or explanations out;
 * a line that is not a pull request is refused with a UsageError naming it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { DEFAULT_AUTHORSHIP_OPTIONS } from '../../src/authorship/classify.js';
import type { AuthorshipOptions } from '../../src/authorship/types.js';
import { loadAuthorshipOptions, register, runClassify } from '../../src/cli/classify.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { commit, pr } from './helpers.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function classify(
  lines: string[],
  options: AuthorshipOptions = DEFAULT_AUTHORSHIP_OPTIONS,
  mode: { summary?: boolean; explain?: boolean } = {},
) {
  const out = sink();
  const err = sink();
  const result = await runClassify({ input: Readable.from([lines.join('\n')]), output: out.stream, errors: err.stream, options, ...mode });
  return { result, out: out.text(), err: err.text() };
}

function parsed(out: string): Array<Record<string, unknown>> {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const copilotLine = JSON.stringify({
  id: 'a',
  ...pr({ user: { login: 'Copilot', id: 198982749, type: 'Bot' }, assignees: [{ login: 'Copilot' }, { login: 'mona' }] }, [
    commit({ author: { login: 'Copilot', id: 198982749, type: 'Bot' } }),
  ]),
  expected: { class: 'agent', agent: 'copilot' },
});
const humanLine = JSON.stringify({ id: 7, ...pr(), expected: { class: 'human' } });

test('one output line per input line, in the documented shape', async () => {
  const { result, out, err } = await classify([copilotLine, '', humanLine]);
  expect(result).toEqual({ classified: 2, labelled: 2, shapes: { rest: 2, gh: 0 } });
  expect(err).toBe('');
  const lines = parsed(out);
  expect(lines).toHaveLength(2);
  expect(Object.keys(lines[0] ?? {}).sort()).toEqual([
    'agent',
    'agent_commit_share',
    'class',
    'confidence',
    'human_of_record',
    'id',
    'reasons',
  ]);
  expect(lines[0]).toMatchObject({
    id: 'a',
    class: 'agent',
    agent: 'copilot',
    confidence: 'high',
    human_of_record: 'mona',
    agent_commit_share: 1,
  });
  expect(lines[0]?.reasons).toContainEqual({ signal: 'pr_author_id', value: '198982749', confidence: 'high', agent: 'copilot' });
  expect(lines[1]).toEqual({
    id: 7,
    class: 'human',
    agent: null,
    confidence: null,
    human_of_record: null,
    agent_commit_share: 0,
    reasons: [],
  });
});

describe('a line that is not a pull request is refused with its line number (UsageError, exit code 2)', () => {
  test.each([
    ['invalid JSON', '{not json', /^line 2: invalid JSON/],
    ['a JSON array element that is not an object', '[1,2', /invalid JSON array \(from line 2\)/],
    ['an object with neither shape', '{"foo": 1}', /^line 2: not a pull request: no "pull_request" object .*gh pr list --json/],
    [
      'REST commits of the wrong type',
      '{"pull_request": {}, "commits": "nope"}',
      /^line 2: not a pull request: "commits" must be an array/,
    ],
    ['a number', '42', /^line 2: not a pull request: expected a JSON object, got number/],
    ['a bad expected label', '{"pull_request": {}, "expected": {"class": "robot"}}', /^line 2: "expected.class" must be one of/],
  ])('%s', async (_name, bad, message) => {
    const out = sink();
    const run = runClassify({
      input: Readable.from([[humanLine, bad, copilotLine].join('\n')]),
      output: out.stream,
      options: DEFAULT_AUTHORSHIP_OPTIONS,
    });
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    const error = await run.catch((e: unknown) => e);
    expect((error as UsageError).exitCode).toBe(2);
    // The line before the bad one was classified and written; nothing after it.
    expect(out.text().trim().split('\n')).toHaveLength(1);
  });

  test('a line without a pull_request field is no longer read as a human PR', async () => {
    await expect(classify([JSON.stringify({ id: 1, commits: [] })])).rejects.toThrow(/line 1: not a pull request/);
  });
});

describe('the shape of `gh pr list --json number,title,body,author,headRefName,labels,commits`', () => {
  // As gh prints it: People as {is_bot:false, login, id (node id), name}, Apps as {is_bot:true, login:"app/<slug>"};
  // commits with oid, messageHeadline, messageBody and authors[{name, email, login, id}].
  const ghCopilot = {
    number: 101,
    title: 'Fix flaky test',
    body: 'Fixes #100.\n\n---\n💡 [Copilot coding agent tips](https://gh.io/copilot-coding-agent-tips)',
    author: { is_bot: true, login: 'app/copilot-swe-agent' },
    headRefName: 'copilot/fix-100',
    labels: [],
    commits: [
      {
        oid: 'a'.repeat(40),
        messageHeadline: 'Initial plan',
        messageBody: 'Co-authored-by: mona <1234+mona@users.noreply.github.com>',
        authoredDate: '2025-06-01T10:00:00Z',
        committedDate: '2025-06-01T10:00:00Z',
        authors: [
          { name: 'copilot-swe-agent[bot]', email: '198982749+Copilot@users.noreply.github.com', login: 'Copilot', id: 'BOT_kgDOC9w8XQ' },
        ],
      },
    ],
  };
  const ghHuman = {
    number: 102,
    title: 'Tidy docs',
    body: '',
    author: { id: 'MDQ6VXNlcjU4MzIzMQ==', is_bot: false, login: 'octocat', name: 'The Octocat' },
    headRefName: 'tidy-docs',
    labels: [{ id: 'LA_x', name: 'docs', description: '', color: 'fff' }],
    commits: [
      {
        oid: 'b'.repeat(40),
        messageHeadline: 'Tidy docs',
        messageBody: '',
        authors: [{ name: 'The Octocat', email: 'octocat@example.com', login: 'octocat', id: 'MDQ6VXNlcjU4MzIzMQ==' }],
      },
    ],
  };
  const ghDependabot = {
    number: 103,
    title: 'Bump x',
    body: 'Bumps x.',
    author: { is_bot: true, login: 'app/dependabot' },
    headRefName: 'dependabot/npm/x',
    labels: [],
    commits: [],
  };

  test('JSON Lines from `--jq .[]`', async () => {
    const { result, out } = await classify([ghCopilot, ghHuman, ghDependabot].map((v) => JSON.stringify(v)));
    expect(result.shapes).toEqual({ rest: 0, gh: 3 });
    const lines = parsed(out);
    expect(lines.map((l) => [l.id, l.class, l.agent, l.confidence])).toEqual([
      [101, 'agent', 'copilot', 'high'],
      [102, 'human', null, null],
      [103, 'automation', 'dependabot', 'high'],
    ]);
    expect(lines[0]).toMatchObject({ human_of_record: 'mona', agent_commit_share: 1 });
    expect(lines[0]?.reasons).toContainEqual({
      signal: 'pr_author_login',
      value: 'copilot-swe-agent[bot]',
      confidence: 'high',
      agent: 'copilot',
    });
  });

  test('gh’s own output: one pretty-printed JSON array', async () => {
    const text = JSON.stringify([ghCopilot, ghHuman], null, 2);
    const { result, out } = await classify(text.split('\n'));
    expect(result.classified).toBe(2);
    expect(parsed(out).map((l) => l.class)).toEqual(['agent', 'human']);
  });

  test('an element of the array that is not a pull request is named', async () => {
    await expect(classify([JSON.stringify([ghHuman, 'oops'])])).rejects.toThrow(/^element 2 of the JSON array: not a pull request/);
  });
});

test('--summary prints the tables instead of verdicts', async () => {
  const { out } = await classify([copilotLine, humanLine], DEFAULT_AUTHORSHIP_OPTIONS, { summary: true });
  expect(out).not.toContain('"class"');
  expect(out).toMatch(/\| copilot\s+\| 1\s+\| 1\s+\| 100\.0%/);
  expect(out).toMatch(/\| human\s+\| 1\s+\| 0\s+\| 0\.0%/);
});

test('--summary without labels says so', async () => {
  const { out, err } = await classify([JSON.stringify(pr())], DEFAULT_AUTHORSHIP_OPTIONS, { summary: true });
  expect(out).toBe('');
  expect(err).toContain('no line carries an "expected" label');
});

describe('--explain', () => {
  test('a Claude Code CLI co-author in a minority of a person’s commits: every identity with its match or the reason for none', async () => {
    const line = JSON.stringify(
      pr(
        {
          number: 9,
          body: 'Adds the thing. Claude helped.',
          user: { login: 'claude-fan', id: 77, type: 'User' },
          head: { ref: 'claude/notes' },
        },
        [
          commit({
            message: 'Start\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>',
            name: 'Claude Fan',
            email: 'fan@example.com',
          }),
          commit({ message: 'Polish', email: 'someone@anthropic.com' }),
          commit({ message: 'More\n\nCo-authored-by: Copilot <5+Copilot@users.noreply.github.com>' }),
        ],
      ),
    );
    const { out } = await classify([line], DEFAULT_AUTHORSHIP_OPTIONS, { explain: true });
    expect(out).toContain('line 1, #9: assisted ("claude-code"), medium confidence, human of record "claude-fan", agent commits 33%');
    expect(out).toContain('why: assisted: claude-code co-authored 33% of the commits (below 50%)');
    expect(out).toContain('pull_request.user: "claude-fan, id 77, User" → no match: contains "claude", but names never match');
    expect(out).toContain('pull_request.body: "mentions claude" → no match: mentioning a tool is not evidence');
    expect(out).toContain('pull_request.head.ref: "claude/notes" → no match: no catalog branch prefix');
    expect(out).toContain(
      'commits[0] Co-Authored-By: "Claude Opus 4.6 <noreply@anthropic.com>" → claude-code: an address the catalog lists (Claude Code (CLI, web, GitHub Action, Claude agent on GitHub), agent)',
    );
    expect(out).toContain(
      'commits[1].commit.author.email: "someone@anthropic.com" → no match: same domain as Claude Code (CLI, web, GitHub Action, Claude agent on GitHub)\'s noreply@anthropic.com, but only exact addresses match',
    );
    expect(out).toContain(
      'commits[0].commit.author.name: "Claude Fan" → no match: a name is never evidence (a person can be called claude)',
    );
    expect(out).toContain(
      'commits[2] Co-authored-by: "Copilot <5+Copilot@users.noreply.github.com>" → no match: GitHub noreply address naming "copilot" (GitHub Copilot (coding agent, CLI, IDE agent mode)) with id 5, which is not a catalog id (its is 198982749): another account',
    );
  });

  test('agent, review suggestion and unknown bot explanations', async () => {
    const lines = [
      pr({ user: { login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' } }),
      pr({}, [
        commit({ message: 'Apply suggestion\n\nCo-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>' }),
      ]),
      pr({ user: { login: 'acme-helper[bot]', type: 'Bot' } }),
      pr({ user: { login: 'Claude' } }),
    ].map((v) => JSON.stringify(v));
    const { out } = await classify(lines, DEFAULT_AUTHORSHIP_OPTIONS, { explain: true });
    expect(out).toContain('why: agent: PR-level evidence of devin (pr_author_id)');
    expect(out).toContain(
      'pull_request.user: "devin-ai-integration[bot], id 158243242, Bot" → devin: id 158243242 is Devin\'s account (agent)',
    );
    expect(out).toContain("why: assisted: a person's PR with an applied suggestion of the AI reviewer coderabbit");
    expect(out).toContain(': an applied review suggestion (assisted, never agent)');
    expect(out).toContain('pull_request.user: "acme-helper[bot], Bot" → no match: a bot the catalog does not know: read as automation');
    expect(out).toContain(
      'pull_request.user: "Claude" → no match: "Claude" is the name of Claude Code (CLI, web, GitHub Action, Claude agent on GitHub)\'s App user, but the payload does not say type Bot',
    );
  });

  test('untrusted values cannot reach the terminal raw', async () => {
    const { out } = await classify([JSON.stringify(pr({ head: { ref: 'x\u001b[31mred' } }))], DEFAULT_AUTHORSHIP_OPTIONS, {
      explain: true,
    });
    expect(out).not.toContain('\u001b');
    expect(out).toContain('"x\\u001b[31mred"');
  });
});

describe('--config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-review-classify-'));

  test('custom agents and min_confidence come from the agents section', async () => {
    const path = join(dir, 'ai-review.yml');
    writeFileSync(
      path,
      'agents:\n  min_confidence: medium\n  custom:\n    - name: acme\n      branch_prefixes: [acme/]\n      body_markers: ["Made by Acme"]\n',
    );
    const options = await loadAuthorshipOptions(path);
    expect(options).toEqual({
      builtin: true,
      minConfidence: 'medium',
      custom: [{ name: 'acme', branch_prefixes: ['acme/'], body_markers: ['Made by Acme'] }],
    });
    const { out } = await classify(
      [JSON.stringify(pr({ body: 'made by acme' })), JSON.stringify(pr({ head: { ref: 'acme/x' } }))],
      options,
    );
    const [first, second] = parsed(out);
    expect(first).toMatchObject({ class: 'agent', agent: 'acme' });
    expect(second).toMatchObject({ class: 'human' });
  });

  test('an invalid configuration is a CliError (exit 1) with the file, line and key path', async () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'agents:\n  min_confidence: sometimes\n');
    const error = await loadAuthorshipOptions(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).not.toBeInstanceOf(UsageError);
    expect((error as CliError).message).toMatch(/bad\.yml:2: agents\.min_confidence/);
  });

  test('an unreadable configuration file is a UsageError (exit 2)', async () => {
    await expect(loadAuthorshipOptions(join(dir, 'missing.yml'))).rejects.toBeInstanceOf(UsageError);
  });

  test('no --config: the defaults', async () => {
    expect(await loadAuthorshipOptions(undefined)).toBe(DEFAULT_AUTHORSHIP_OPTIONS);
  });
});

describe('the command', () => {
  test('register adds classify with its options', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'classify');
    expect(cmd?.options.map((o) => o.long)).toEqual(['--config', '--summary', '--explain']);
  });

  test('a missing input file throws a UsageError naming it (main.ts prints it)', async () => {
    const program = new Command();
    program.exitOverride();
    register(program);
    const run = program.parseAsync(['node', 'ai-review', 'classify', '/nonexistent/prs.jsonl']);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/cannot read \/nonexistent\/prs\.jsonl/);
  });

  test('--summary with --explain is a usage error', async () => {
    const program = new Command();
    program.exitOverride();
    register(program);
    await expect(program.parseAsync(['node', 'ai-review', 'classify', '--summary', '--explain', '-'])).rejects.toThrow(
      /cannot be combined/,
    );
  });
});
