import { resolveConfig } from '../../src/config/load.js';
import { AiReviewConfigSchema } from '../../src/config/schema.js';
import { evaluateGate, latestDecisiveReviews } from '../../src/gate/evaluate.js';
import type { GateFacts } from '../../src/gate/types.js';
import { HUMAN, facts, review } from './helpers.js';

const SECURITY_CONFIG = resolveConfig(
  AiReviewConfigSchema.parse({
    mode: 'enforce',
    paths: { auth: ['src/auth/**'] },
    rules: [
      { name: 'security-review', if: { author: 'agent', paths: ['auth'] }, require: { reviewers: ['@acme/security', 'alice'], count: 1 } },
    ],
    overrides: { allowed: ['@acme/platform', 'carol'] },
  }),
);

describe('evaluateGate: rule applicability and conclusions', () => {
  it('blocks an agent PR on a sensitive path with no approval (enforce → action_required)', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts());
    expect(result.conclusion).toBe('action_required');
    expect(result.satisfied).toBe(false);
    expect(result.rules).toHaveLength(1);
    expect(result.rules[0]).toMatchObject({
      name: 'security-review',
      holds: false,
      missingApprovals: 1,
      pendingReviewers: ['@acme/security', 'alice'],
      matchedGroups: ['auth'],
    });
  });

  it('a rule with paths does not apply when the PR touches none of them', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ touchedGroups: [{ group: 'ci', fileCount: 1, examples: ['x'] }] }));
    expect(result).toMatchObject({ conclusion: 'success', title: 'Ready to merge: no review rule applies', rules: [] });
  });

  it('a human PR gets no agent rule', () => {
    const result = evaluateGate(
      SECURITY_CONFIG,
      facts({ authorship: HUMAN, pullRequest: { number: 7, authorLogin: 'zoe', draft: false, headSha: 'c2', labels: [] } }),
    );
    expect(result.conclusion).toBe('success');
    expect(result.rules).toEqual([]);
  });

  it('advisory mode reports neutral instead of blocking', () => {
    const advisory = resolveConfig({ ...SECURITY_CONFIG.file, mode: 'advisory' });
    expect(evaluateGate(advisory, facts()).conclusion).toBe('neutral');
  });

  it('a rule-level mode overrides the top-level mode', () => {
    const config = resolveConfig({ ...SECURITY_CONFIG.file, mode: 'advisory', rules: [{ ...SECURITY_CONFIG.rules[0]!, mode: 'enforce' }] });
    expect(evaluateGate(config, facts()).conclusion).toBe('action_required');
  });

  it.each([
    [['copilot'], true],
    [['devin', 'COPILOT'], true],
    [['devin'], false],
    ['any', true],
    ['human', false],
  ] as const)('if.author %j applies to a copilot PR: %s', (author, applies) => {
    const config = resolveConfig(AiReviewConfigSchema.parse({ rules: [{ name: 'r', if: { author } }] }));
    expect(evaluateGate(config, facts()).rules.length).toBe(applies ? 1 : 0);
  });
});

describe('evaluateGate: qualifying approvals', () => {
  it.each([
    ['a listed user approves', [review('alice', 'APPROVED')], true, []],
    ['a team member approves', [review('bob', 'APPROVED')], true, []],
    ['logins compare case-insensitively', [review('Bob', 'APPROVED')], true, []],
    [
      'someone outside the list approves',
      [review('mallory', 'APPROVED')],
      false,
      [{ login: 'mallory', reason: 'not-a-required-reviewer' }],
    ],
    [
      'the PR author approves',
      [review('Copilot', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { userType: 'Bot' })],
      false,
      [{ login: 'Copilot', reason: 'pr-author' }],
    ],
    [
      'a bot approves',
      [review('some-bot[bot]', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { userType: 'Bot' })],
      false,
      [{ login: 'some-bot[bot]', reason: 'bot-or-agent' }],
    ],
    [
      'an agent account approves',
      [review('alice', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { automated: true })],
      false,
      [{ login: 'alice', reason: 'bot-or-agent' }],
    ],
    ['the human of record approves', [review('requester', 'APPROVED')], false, [{ login: 'requester', reason: 'human-of-record' }]],
    [
      'approval of an older commit, then the agent pushed',
      [review('alice', 'APPROVED', 'c1')],
      false,
      [{ login: 'alice', reason: 'stale-agent-push' }],
    ],
    [
      'approval of a commit no longer in the PR',
      [review('alice', 'APPROVED', 'gone')],
      false,
      [{ login: 'alice', reason: 'commit-not-in-pr' }],
    ],
    [
      'COMMENTED after APPROVED changes nothing',
      [review('alice', 'APPROVED', 'c2', '2026-01-01T10:00:00Z'), review('alice', 'COMMENTED', 'c2', '2026-01-01T11:00:00Z')],
      true,
      [],
    ],
    [
      'a dismissed approval no longer counts',
      [review('alice', 'APPROVED', 'c2', '2026-01-01T10:00:00Z'), review('alice', 'DISMISSED', 'c2', '2026-01-01T11:00:00Z')],
      false,
      [],
    ],
    [
      'APPROVED after CHANGES_REQUESTED counts',
      [review('alice', 'CHANGES_REQUESTED', 'c1', '2026-01-01T09:00:00Z'), review('alice', 'APPROVED', 'c2', '2026-01-01T10:00:00Z')],
      true,
      [],
    ],
  ] as const)('%s → holds %s', (_name, reviews, holds, ignored) => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ reviews: [...reviews] }));
    expect(result.rules[0]!.holds).toBe(holds);
    expect(result.rules[0]!.ignoredApprovals).toEqual(ignored);
    expect(result.conclusion).toBe(holds ? 'success' : 'action_required');
  });

  it('a human push after the approval does not make it stale', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ commitShas: ['c1', 'c2', 'h3'], reviews: [review('alice', 'APPROVED', 'c2')] }));
    expect(result.rules[0]!.holds).toBe(true);
  });

  it('with stale_on_agent_push off, an approval of an older commit counts', () => {
    const config = resolveConfig({ ...SECURITY_CONFIG.file, review: { ...SECURITY_CONFIG.file.review, stale_on_agent_push: false } });
    expect(evaluateGate(config, facts({ reviews: [review('alice', 'APPROVED', 'c1')] })).rules[0]!.holds).toBe(true);
  });

  it('with requester_can_approve, the human of record counts', () => {
    const config = resolveConfig({
      ...SECURITY_CONFIG.file,
      rules: [{ name: 'r', if: { author: 'agent' }, require: { reviewers: ['requester'], count: 1 } }],
      review: { ...SECURITY_CONFIG.file.review, requester_can_approve: true },
    });
    expect(evaluateGate(config, facts({ reviews: [review('requester', 'APPROVED')] })).rules[0]!.holds).toBe(true);
  });

  it('a latest CHANGES_REQUESTED from a rule reviewer blocks the rule even with enough approvals', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ reviews: [review('alice', 'APPROVED'), review('dave', 'CHANGES_REQUESTED')] }));
    expect(result.rules[0]).toMatchObject({ holds: false, changesRequestedBy: ['dave'], missingApprovals: 0 });
    expect(result.conclusion).toBe('action_required');
  });

  it('CHANGES_REQUESTED from someone outside the rule does not block it', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ reviews: [review('alice', 'APPROVED'), review('mallory', 'CHANGES_REQUESTED')] }));
    expect(result.rules[0]!.holds).toBe(true);
  });

  it('count counts distinct reviewers', () => {
    const config = resolveConfig({
      ...SECURITY_CONFIG.file,
      rules: [{ ...SECURITY_CONFIG.rules[0]!, require: { reviewers: ['@acme/security'], count: 2 } }],
    });
    const one = evaluateGate(
      config,
      facts({
        reviews: [review('bob', 'APPROVED', 'c2', '2026-01-01T10:00:00Z'), review('bob', 'APPROVED', 'c2', '2026-01-01T11:00:00Z')],
      }),
    );
    expect(one.rules[0]).toMatchObject({ holds: false, missingApprovals: 1 });
    const two = evaluateGate(config, facts({ reviews: [review('bob', 'APPROVED'), review('dave', 'APPROVED')] }));
    expect(two.rules[0]).toMatchObject({ holds: true, missingApprovals: 0, pendingReviewers: [] });
  });

  it('without reviewers, anyone with write access qualifies', () => {
    const config = resolveConfig(null);
    const noWrite = evaluateGate(config, facts({ touchedGroups: [], reviews: [review('zed', 'APPROVED')], writeAccess: { zed: false } }));
    expect(noWrite.rules[0]).toMatchObject({
      name: 'agent-pr-review',
      holds: false,
      ignoredApprovals: [{ login: 'zed', reason: 'no-write-access' }],
    });
    const write = evaluateGate(config, facts({ touchedGroups: [], reviews: [review('zed', 'APPROVED')], writeAccess: { zed: true } }));
    expect(write.rules[0]!.holds).toBe(true);
    expect(write.conclusion).toBe('success');
  });

  it('built-in defaults: an agent PR on a sensitive path needs 2 approvals, advisory', () => {
    const config = resolveConfig(null);
    const result = evaluateGate(
      config,
      facts({
        touchedGroups: [{ group: 'ci', fileCount: 1, examples: ['.github/workflows/a.yml'] }],
        reviews: [review('zed', 'APPROVED')],
        writeAccess: { zed: true },
      }),
    );
    expect(result.rules.map((r) => [r.name, r.holds, r.missingApprovals])).toEqual([
      ['agent-pr-review', true, 0],
      ['agent-sensitive-paths-review', false, 1],
    ]);
    expect(result.conclusion).toBe('neutral');
  });
});

describe('evaluateGate: overrides', () => {
  const labelled = (actor: string, at = '2026-01-02T00:00:00Z') => ({
    action: 'labeled' as const,
    label: 'ai-review: override',
    actor,
    at,
  });
  const withLabel = (events: GateFacts['overrideLabelEvents']) =>
    facts({
      pullRequest: { number: 7, authorLogin: 'Copilot', draft: false, headSha: 'c2', labels: ['AI-Review: Override'] },
      overrideLabelEvents: events,
    });

  it('applied by an allowed team member: success, recorded', () => {
    const result = evaluateGate(SECURITY_CONFIG, withLabel([labelled('erin')]));
    expect(result).toMatchObject({
      conclusion: 'success',
      satisfied: true,
      override: { login: 'erin', label: 'ai-review: override' },
      ignoredOverrides: [],
    });
  });

  it('applied by an allowed user: success', () => {
    expect(evaluateGate(SECURITY_CONFIG, withLabel([labelled('carol')])).conclusion).toBe('success');
  });

  it('applied by someone else: ignored and named', () => {
    const result = evaluateGate(SECURITY_CONFIG, withLabel([labelled('mallory')]));
    expect(result).toMatchObject({ conclusion: 'action_required', override: null, ignoredOverrides: [{ login: 'mallory' }] });
  });

  it('removed by anyone and re-applied by someone not allowed: not valid', () => {
    const result = evaluateGate(
      SECURITY_CONFIG,
      withLabel([
        labelled('erin', '2026-01-02T00:00:00Z'),
        { action: 'unlabeled', label: 'ai-review: override', actor: 'x', at: '2026-01-03T00:00:00Z' },
        labelled('mallory', '2026-01-04T00:00:00Z'),
      ]),
    );
    expect(result.override).toBeNull();
    expect(result.conclusion).toBe('action_required');
  });

  it('label events without the label on the PR change nothing', () => {
    const result = evaluateGate(SECURITY_CONFIG, facts({ overrideLabelEvents: [labelled('erin')] }));
    expect(result.override).toBeNull();
  });

  it('with no one allowed, overrides are off', () => {
    const config = resolveConfig({ ...SECURITY_CONFIG.file, overrides: { label: 'ai-review: override', allowed: [] } });
    expect(evaluateGate(config, withLabel([labelled('erin')])).override).toBeNull();
  });
});

describe('latestDecisiveReviews', () => {
  it('orders by submission time, then id', () => {
    const latest = latestDecisiveReviews([
      review('a', 'APPROVED', 'c2', '2026-01-01T12:00:00Z'),
      review('a', 'CHANGES_REQUESTED', 'c2', '2026-01-01T11:00:00Z'),
      review('b', 'PENDING', 'c2', '2026-01-01T12:00:00Z'),
    ]);
    expect(latest.get('a')!.state).toBe('APPROVED');
    expect(latest.has('b')).toBe(false);
  });
});
