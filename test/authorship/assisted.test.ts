/**
 * Agent-authored or agent-assisted (issue 12): the `assisted` class, its threshold, the agent name it keeps, and how
 * rules see it (`if.author: assisted`, lists mixing classes and agent names, assisted as human by default).
 */
import { AGENT_COMMIT_SHARE_THRESHOLD, classifyPullRequest, DEFAULT_AUTHORSHIP_OPTIONS } from '../../src/authorship/classify.js';
import type { AuthorshipInput, AuthorshipVerdict } from '../../src/authorship/types.js';
import { resolveConfig, validateConfig } from '../../src/config/load.js';
import { AiReviewConfigSchema } from '../../src/config/schema.js';
import { applicableRules } from '../../src/gate/evaluate.js';
import { commit, HUMAN, pr } from './helpers.js';

const CLAUDE_TRAILER = 'Co-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>';
const person = (message = 'Work') => commit({ message });
const coAuthored = () => commit({ message: `Agent part\n\n${CLAUDE_TRAILER}` });
const CURSOR = { login: 'cursoragent', id: 199161495, type: 'User' };
const byCursor = () =>
  commit({ message: 'Agent work', name: 'Cursor Agent', email: 'cursoragent@cursor.com', author: CURSOR, committer: CURSOR });

function verdict(input: AuthorshipInput): AuthorshipVerdict {
  return classifyPullRequest(input, DEFAULT_AUTHORSHIP_OPTIONS);
}

describe('assisted: a person’s PR with some agent help', () => {
  test.each<[string, AuthorshipInput, Partial<AuthorshipVerdict>]>([
    [
      'an applied Copilot code review suggestion',
      pr({}, [
        person(),
        commit({ message: 'Apply suggestions from code review\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>' }),
      ]),
      {
        class: 'assisted',
        agent: 'copilot-code-review',
        confidence: 'medium',
        humanOfRecord: 'octocat',
        agentCommitShare: 0,
        agentCommitShas: [],
      },
    ],
    [
      'an applied Gemini Code Assist suggestion',
      pr({}, [
        commit({
          message: 'Update a.ts\n\nCo-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>',
        }),
      ]),
      { class: 'assisted', agent: 'gemini-code-assist', humanOfRecord: 'octocat' },
    ],
    [
      'two Claude Code co-authored commits out of five',
      pr({}, [person(), coAuthored(), person(), coAuthored(), person()]),
      { class: 'assisted', agent: 'claude-code', confidence: 'medium', humanOfRecord: 'octocat', agentCommitShare: 0.4 },
    ],
    [
      'one Copilot CLI co-authored commit out of three',
      pr({}, [person(), person(), commit({ message: 'Fix\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>' })]),
      { class: 'assisted', agent: 'copilot', humanOfRecord: 'octocat' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(verdict(input)).toMatchObject(expected);
  });
});

describe('agent: the agent opened or wrote it', () => {
  test.each<[string, AuthorshipInput, Partial<AuthorshipVerdict>]>([
    [
      'a cloud agent’s PR with one human fix (PR author is the agent)',
      pr({ user: { login: 'Copilot', id: 198982749, type: 'Bot' } }, [
        commit({ author: { login: 'Copilot', id: 198982749, type: 'Bot' } }),
        commit({ author: { login: 'Copilot', id: 198982749, type: 'Bot' } }),
        person('Fix typo'),
      ]),
      { class: 'agent', agent: 'copilot', confidence: 'high' },
    ],
    [
      'a Cursor background agent’s branch a person opened and finished (the agent’s own commits, 1 of 6)',
      pr({}, [byCursor(), person(), person(), person(), person(), person()]),
      { class: 'agent', agent: 'cursor', humanOfRecord: 'octocat' },
    ],
    [
      'Claude Code co-authored at least half the commits (3 of 6: the threshold)',
      pr({}, [coAuthored(), person(), coAuthored(), person(), coAuthored(), person()]),
      { class: 'agent', agent: 'claude-code', agentCommitShare: 0.5 },
    ],
    [
      'PR-level evidence: the tool’s body footer, whatever the commits',
      pr({ body: 'Summary\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)' }, [
        person(),
        person(),
        person(),
        coAuthored(),
      ]),
      { class: 'agent', agent: 'claude-code' },
    ],
    [
      'agent evidence wins over an applied review suggestion',
      pr({}, [
        coAuthored(),
        commit({ message: 'Apply\n\nCo-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>' }),
      ]),
      { class: 'agent', agent: 'claude-code' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(verdict(input)).toMatchObject(expected);
  });

  test('the threshold is "at least half"', () => {
    expect(AGENT_COMMIT_SHARE_THRESHOLD).toBe(0.5);
  });

  test('a review bot’s trailer in a bot’s PR stays automation', () => {
    const input = pr({ user: { login: 'renovate[bot]', id: 29139614, type: 'Bot' } }, [
      commit({
        message: 'Apply\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>',
        author: { login: 'renovate[bot]', type: 'Bot' },
      }),
    ]);
    expect(verdict(input)).toMatchObject({ class: 'automation', agent: 'renovate' });
  });

  test('min_confidence applies to assistance too', () => {
    const input = pr({}, [person(), person(), coAuthored()]);
    expect(classifyPullRequest(input, { ...DEFAULT_AUTHORSHIP_OPTIONS, minConfidence: 'high' })).toMatchObject({ class: 'human' });
  });
});

describe('rules: if.author assisted, lists mixing classes and agent names', () => {
  const assisted = verdict(pr({}, [person(), person(), coAuthored()]));
  const written = verdict(pr({ user: { login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' } }));
  const humanPr = verdict(pr());
  expect(assisted.class).toBe('assisted');

  const rulesOf = (yaml: object) => {
    const result = validateConfig(yaml, 'test');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return resolveConfig(result.config).rules;
  };
  const applied = (rules: ReturnType<typeof rulesOf>, v: AuthorshipVerdict) => applicableRules(rules, v, []).map((r) => r.rule.name);

  test('the built-in rules (author: agent) leave assisted PRs alone, as human', () => {
    const rules = resolveConfig(AiReviewConfigSchema.parse({})).rules;
    expect(applied(rules, assisted)).toEqual([]);
    expect(applied(rules, written)).toEqual(['agent-pr-review']);
  });

  test('without a rule naming assisted, a human rule covers assisted PRs', () => {
    const rules = rulesOf({
      rules: [
        { name: 'people', if: { author: 'human' } },
        { name: 'agents', if: { author: 'agent' } },
      ],
    });
    expect(applied(rules, assisted)).toEqual(['people']);
    expect(applied(rules, humanPr)).toEqual(['people']);
  });

  test('once a rule names assisted, assisted PRs are their own class', () => {
    const rules = rulesOf({
      rules: [
        { name: 'people', if: { author: 'human' } },
        { name: 'assisted', if: { author: 'assisted' } },
        { name: 'mixed', if: { author: ['assisted', 'devin'] } },
        { name: 'claude-only', if: { author: ['claude-code'] } },
        { name: 'everyone', if: { author: 'any' } },
      ],
    });
    expect(applied(rules, assisted)).toEqual(['assisted', 'mixed', 'everyone']);
    expect(applied(rules, written)).toEqual(['mixed', 'everyone']);
    expect(applied(rules, humanPr)).toEqual(['people', 'everyone']);
  });

  test('lists mixing classes and names: [human, copilot]', () => {
    const rules = rulesOf({ rules: [{ name: 'mixed', if: { author: ['human', 'Copilot'] } }] });
    const copilot = verdict(pr({ user: { login: 'Copilot', id: 198982749, type: 'Bot' } }));
    expect(applied(rules, copilot)).toEqual(['mixed']);
    expect(applied(rules, humanPr)).toEqual(['mixed']);
    expect(applied(rules, written)).toEqual([]);
  });

  test('an unknown name in a list is a configuration error with its key path', () => {
    const result = validateConfig({ rules: [{ name: 'typo', if: { author: ['asissted', 'copilot'] } }] }, 'test');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.path)).toEqual(['rules[0].if.author[0]']);
    expect(errors[0]?.message).toContain('unknown author "asissted"');
  });

  test('custom agent names are known to rules', () => {
    const result = validateConfig({ agents: { custom: [{ name: 'acme' }] }, rules: [{ name: 'acme', if: { author: ['acme'] } }] }, 'test');
    expect(result.ok).toBe(true);
  });
});

test('the PR author of an assisted PR is its human of record', () => {
  expect(verdict(pr({ user: HUMAN }, [person(), person(), coAuthored()])).humanOfRecord).toBe(HUMAN.login);
});
