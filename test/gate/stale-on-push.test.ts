import { effectiveStaleOnPush, parseConfigText } from '../../src/config/load.js';
import { evaluateGate } from '../../src/gate/evaluate.js';
import { headShaAt, pushesByCommit } from '../../src/gate/pushes.js';
import type { CommitFact, GateFacts, PushFact } from '../../src/gate/types.js';
import { AGENT, config, facts, review } from './helpers.js';

const withStale = (review: Record<string, unknown>) =>
  config({
    mode: 'enforce',
    rules: [{ name: 'r', require: { reviewers: ['alice'], count: 1 } }],
    review,
  });

const push = (headSha: string, pusherLogin: string, at: string, automated = false): PushFact => ({ headSha, pusherLogin, automated, at });
const commit = (sha: string, committerLogin: string | null, authorLogin: string | null = committerLogin): CommitFact => ({
  sha,
  authorLogin,
  committerLogin,
  committedAt: null,
});

/** Alice approved c2; then h3 was pushed as described. */
function after(h3: { pusher?: string; automated?: boolean; agentCommit?: boolean; commit?: CommitFact }): GateFacts {
  return facts({
    pullRequest: { number: 7, authorLogin: 'Copilot', draft: false, headSha: 'h3', labels: [] },
    authorship: { ...AGENT, agentCommitShas: h3.agentCommit ? ['c1', 'c2', 'h3'] : ['c1', 'c2'] },
    commitShas: ['c1', 'c2', 'h3'],
    commits: [commit('c1', 'Copilot'), commit('c2', 'Copilot'), h3.commit ?? commit('h3', null)],
    pushes: [
      push('c2', 'Copilot', '2026-01-01T09:00:00Z', true),
      ...(h3.pusher ? [push('h3', h3.pusher, '2026-01-01T11:00:00Z', h3.automated ?? false)] : []),
    ],
    reviews: [review('alice', 'APPROVED', 'c2')],
  });
}

describe('review.stale_on_push: which later pushes make an approval stale', () => {
  const scenarios: Array<[string, GateFacts]> = [
    ['no later push', facts({ reviews: [review('alice', 'APPROVED', 'c2')] })],
    ['the approver pushed', after({ pusher: 'Alice' })],
    ['the requester pushed', after({ pusher: 'requester' })],
    ['the agent pushed (agent commit)', after({ pusher: 'requester', agentCommit: true })],
    ['a bot or agent account pushed', after({ pusher: 'copilot-swe-agent[bot]', automated: true })],
    ['no push recorded, the approver committed', after({ commit: commit('h3', 'alice', 'someone') })],
    ['no push recorded, made on github.com by the approver', after({ commit: commit('h3', 'web-flow', 'alice') })],
    ['no push recorded, committed by someone else', after({ commit: commit('h3', 'mallory') })],
    ['no push recorded, identity unknown', after({})],
  ];
  const expected: Record<string, Array<string | null>> = {
    //            agent                others                   any
    'no later push': [null, null, null],
    'the approver pushed': [null, null, 'stale-push'],
    'the requester pushed': [null, 'stale-push-by-other', 'stale-push'],
    'the agent pushed (agent commit)': ['stale-agent-push', 'stale-agent-push', 'stale-push'],
    'a bot or agent account pushed': ['stale-agent-push', 'stale-agent-push', 'stale-push'],
    'no push recorded, the approver committed': [null, null, 'stale-push'],
    'no push recorded, made on github.com by the approver': [null, null, 'stale-push'],
    'no push recorded, committed by someone else': [null, 'stale-push-by-other', 'stale-push'],
    'no push recorded, identity unknown': [null, 'stale-push-by-other', 'stale-push'],
  };
  const cases = scenarios.flatMap(([name, f]) =>
    (['agent', 'others', 'any'] as const).map((mode, i) => [name, mode, f, expected[name]![i]!] as const),
  );

  it.each(cases)('%s, stale_on_push %s → %s', (_name, mode, f, reason) => {
    const rule = evaluateGate(withStale({ stale_on_push: mode }), f).rules[0]!;
    expect(rule.holds).toBe(reason === null);
    expect(rule.ignoredApprovals).toEqual(reason === null ? [] : [{ login: 'alice', reason }]);
  });

  it('the default is agent; the old boolean keeps working; stale_on_push wins over it', () => {
    const f = after({ pusher: 'requester' });
    expect(withStale({}).staleOnPush).toBe('agent');
    expect(evaluateGate(withStale({ stale_on_agent_push: true }), after({ pusher: 'x', agentCommit: true })).rules[0]!.holds).toBe(false);
    expect(withStale({ stale_on_agent_push: false }).staleOnPush).toBe('off');
    expect(evaluateGate(withStale({ stale_on_agent_push: false }), after({ pusher: 'x', agentCommit: true })).rules[0]!.holds).toBe(true);
    expect(
      evaluateGate(withStale({ stale_on_agent_push: false }), facts({ reviews: [review('alice', 'APPROVED', 'gone')] })).rules[0]!.holds,
    ).toBe(true);
    expect(withStale({ stale_on_agent_push: false, stale_on_push: 'any' }).staleOnPush).toBe('any');
    expect(evaluateGate(withStale({ stale_on_agent_push: false, stale_on_push: 'others' }), f).rules[0]!.holds).toBe(false);
  });

  it.each([
    [{ stale_on_push: 'others' }, 'others'],
    [{ stale_on_agent_push: true }, 'agent'],
    [{ stale_on_agent_push: false }, 'off'],
    [{ stale_on_agent_push: false, stale_on_push: 'agent' }, 'agent'],
  ] as const)('effectiveStaleOnPush(%j) → %s', (review, mode) => {
    expect(effectiveStaleOnPush({ stale_on_agent_push: true, ...review })).toBe(mode);
  });

  it('an approval of a commit no longer in the PR never counts (agent, others, any)', () => {
    for (const mode of ['agent', 'others', 'any']) {
      const rule = evaluateGate(withStale({ stale_on_push: mode }), facts({ reviews: [review('alice', 'APPROVED', 'gone')] })).rules[0]!;
      expect(rule.ignoredApprovals).toEqual([{ login: 'alice', reason: 'commit-not-in-pr' }]);
    }
  });

  it('rejects an unknown value with its line', () => {
    const result = parseConfigText('review:\n  stale_on_push: sometimes\n', '.github/ai-review.yml');
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'review.stale_on_push', line: 2 }] });
  });
});

describe('pushes: who brought each commit, and the head at a time', () => {
  const shas = ['a', 'b', 'c', 'd'];
  it('a push covers the commits since the previous push, up to its head', () => {
    const map = pushesByCommit(shas, [
      push('d', 'zed', '2026-01-03T00:00:00Z'),
      push('b', 'amy', '2026-01-01T00:00:00Z'),
      push('gone', 'x', 'y'),
    ]);
    expect(shas.map((s) => map.get(s)?.pusherLogin ?? null)).toEqual(['amy', 'amy', 'zed', 'zed']);
  });

  it('headShaAt uses recorded pushes, else committer dates, else null', () => {
    const pushes = [push('b', 'amy', '2026-01-01T00:00:00Z'), push('d', 'zed', '2026-01-03T00:00:00Z')];
    expect(headShaAt({ commitShas: shas, pushes }, '2026-01-02T00:00:00Z')).toBe('b');
    expect(headShaAt({ commitShas: shas, pushes }, '2026-01-04T00:00:00Z')).toBe('d');
    const commits = shas.map((sha, i) => ({ ...commit(sha, null), committedAt: `2026-01-0${i + 1}T00:00:00Z` }));
    expect(headShaAt({ commitShas: shas, commits }, '2026-01-02T12:00:00Z')).toBe('b');
    expect(headShaAt({ commitShas: shas, commits }, '2025-12-31T00:00:00Z')).toBeNull();
    expect(headShaAt({ commitShas: shas }, '2026-01-02T00:00:00Z')).toBeNull();
  });
});
