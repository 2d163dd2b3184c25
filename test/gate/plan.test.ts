/**
 * planFacts: which facts an evaluation needs, conservative about what is unknown and exact once the facts are known;
 * it agrees with `teamsToFetch` and with how `evaluateGate` reads `writeAccess`.
 */
import { applicableRules, evaluateGate, teamsToFetch } from '../../src/gate/evaluate.js';
import {
  INITIAL_PLAN,
  isEmptyPlan,
  mergePlans,
  missingFacts,
  planFacts,
  possiblyApplicableRules,
  writeAccessLogins,
  type FactPlan,
  type PlanInput,
} from '../../src/gate/plan.js';
import type { ReviewFact } from '../../src/gate/types.js';
import type { TouchedGroup } from '../../src/paths/match.js';
import { AGENT, HUMAN, config, facts, review } from './helpers.js';

const CONFIG = config({
  mode: 'enforce',
  paths: { auth: ['src/auth/**'] },
  rules: [
    { name: 'security', if: { author: 'agent', paths: ['auth'] }, require: { reviewers: ['@acme/security'], count: 1 } },
    { name: 'web', if: { author: 'human' }, require: { reviewers: ['@Acme/Web', 'alice'], count: 1 } },
    { name: 'agent-any', if: { author: 'agent' }, require: { count: 1 } },
  ],
  overrides: { allowed: ['@acme/platform', 'carol'] },
});

const AUTH: TouchedGroup[] = [{ group: 'auth', fileCount: 1, examples: ['src/auth/a.ts'] }];
const KNOWN: PlanInput = { labels: [], comments: [], changedFiles: [], codeowners: null };

describe('planFacts', () => {
  it('without a configuration: the initial plan (no team, the facts that need no configuration)', () => {
    expect(planFacts(null)).toEqual(INITIAL_PLAN);
    expect(planFacts(null)).not.toBe(INITIAL_PLAN);
  });

  it('knowing only the configuration: every rule may apply, the label may be on, a comment may be a command', () => {
    expect(planFacts(CONFIG, {})).toEqual({
      teams: ['@acme/platform', '@acme/security', '@acme/web'],
      writeAccess: true,
      overrideLabelEvents: true,
      reviewRequestEvents: true,
      comments: true,
      codeowners: false,
      previousPaths: true,
    });
  });

  it('knowing the facts: only the applicable rules, and what the label and comments say', () => {
    expect(planFacts(CONFIG, { ...KNOWN, authorship: AGENT, touchedGroups: AUTH })).toEqual({
      teams: ['@acme/security'],
      writeAccess: true,
      overrideLabelEvents: false,
      reviewRequestEvents: true,
      comments: true,
      codeowners: false,
      previousPaths: true,
    });
    expect(planFacts(CONFIG, { ...KNOWN, authorship: HUMAN, touchedGroups: [] })).toMatchObject({
      teams: ['@acme/web'],
      writeAccess: false,
    });
  });

  it('agrees with teamsToFetch for every verdict, touched groups, label and command', () => {
    for (const authorship of [AGENT, HUMAN, { ...HUMAN, class: 'assisted' as const, agent: 'copilot' }])
      for (const touchedGroups of [[], AUTH])
        for (const labels of [[], ['AI-Review: Override']])
          for (const comments of [[], [{ id: 1, login: 'carol', body: '/ai-review override hotfix', createdAt: '2026-01-01T00:00:00Z' }]]) {
            const rules = applicableRules(CONFIG.rules, authorship, touchedGroups).map((a) => a.rule);
            const expected = teamsToFetch(CONFIG, rules, labels.length > 0, {
              overrideCommandPresent: comments.length > 0,
              changedFiles: [],
              codeowners: null,
            });
            expect(planFacts(CONFIG, { labels, comments, changedFiles: [], codeowners: null, authorship, touchedGroups }).teams).toEqual(
              expected,
            );
          }
  });

  it('with only the verdict known, rules naming paths may still apply', () => {
    expect(possiblyApplicableRules(CONFIG, { authorship: AGENT }).map((r) => r.name)).toEqual(['security', 'agent-any']);
    expect(possiblyApplicableRules(CONFIG, { touchedGroups: [] }).map((r) => r.name)).toEqual(['web', 'agent-any']);
  });

  it('the override label: its events and the allowed teams only when it is on the PR', () => {
    const on = planFacts(CONFIG, { ...KNOWN, labels: ['ai-review: override'], authorship: HUMAN, touchedGroups: [] });
    expect(on).toMatchObject({ overrideLabelEvents: true, teams: ['@acme/platform', '@acme/web'] });
  });

  it('comments only when overrides are on', () => {
    expect(planFacts(config({}), {}).comments).toBe(false);
    expect(planFacts(CONFIG, {}).comments).toBe(true);
  });

  it('review-request events only when reviews may be requested and a rule names reviewers', () => {
    const known = { ...KNOWN, authorship: AGENT, touchedGroups: AUTH };
    expect(planFacts(CONFIG, { ...known, mayRequestReviewers: false }).reviewRequestEvents).toBe(false);
    expect(planFacts(config({ ...CONFIG.file, review: { request_reviewers: false } }), known).reviewRequestEvents).toBe(false);
    expect(planFacts(CONFIG, { ...known, touchedGroups: [] }).reviewRequestEvents).toBe(false);
  });

  describe('CODEOWNERS', () => {
    const OWNERS = config({ mode: 'enforce', rules: [{ name: 'owners', if: { author: 'any' }, require: { codeowners: true } }] });
    const codeowners = { path: '.github/CODEOWNERS', content: '*  @acme/platform\n/src/auth/ @acme/security\n/src/web/ @acme/web @bob\n' };

    it('is needed when a rule that may apply requires code owners', () => {
      expect(planFacts(OWNERS, {})).toMatchObject({ codeowners: true, teams: [] });
      expect(planFacts(CONFIG, {}).codeowners).toBe(false);
    });

    it('with the changed files: the teams owning covered files', () => {
      const plan = planFacts(OWNERS, {
        ...KNOWN,
        codeowners,
        changedFiles: [{ filename: 'src/web/a.ts' }],
        authorship: HUMAN,
        touchedGroups: [],
      });
      expect(plan.teams).toEqual(['@acme/web']);
    });

    it('without them: every team CODEOWNERS names', () => {
      expect(planFacts(OWNERS, { codeowners }).teams).toEqual(['@acme/platform', '@acme/security', '@acme/web']);
    });
  });
});

describe('missing, merged and empty plans', () => {
  const fetched: FactPlan = { ...INITIAL_PLAN, teams: ['@acme/security'] };

  it('missingFacts lists only what was not fetched', () => {
    const needed = planFacts(CONFIG, { ...KNOWN, authorship: AGENT, touchedGroups: AUTH, labels: ['ai-review: override'] });
    expect(missingFacts(needed, fetched)).toEqual({
      teams: ['@acme/platform'],
      writeAccess: false,
      overrideLabelEvents: false,
      reviewRequestEvents: false,
      comments: true,
      codeowners: false,
      previousPaths: false,
    });
    expect(isEmptyPlan(missingFacts(fetched, fetched))).toBe(true);
    expect(isEmptyPlan(missingFacts(needed, fetched))).toBe(false);
  });

  it('mergePlans is the union', () => {
    const merged = mergePlans(fetched, { ...missingFacts(planFacts(CONFIG, {}), fetched) });
    expect(merged.teams).toEqual(['@acme/platform', '@acme/security', '@acme/web']);
    expect(merged.comments).toBe(true);
    expect(isEmptyPlan(missingFacts(planFacts(CONFIG, {}), merged))).toBe(true);
  });
});

describe('writeAccessLogins: the logins whose write access the gate reads', () => {
  const ANYONE = config({ mode: 'enforce', rules: [{ name: 'any', require: { count: 2 } }] });

  it('latest decisive approvers and change requesters, not the author, not bots or agents', () => {
    const reviews = [
      review('bob', 'APPROVED'),
      review('carol', 'CHANGES_REQUESTED'),
      review('dave', 'APPROVED', 'c2', '2026-01-01T10:00:00Z'),
      review('dave', 'DISMISSED', 'c2', '2026-01-01T11:00:00Z'),
      review('erin', 'COMMENTED'),
      review('Copilot', 'APPROVED'),
      review('ci[bot]', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { userType: 'Bot' }),
      review('agent', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { automated: true }),
    ];
    expect(writeAccessLogins(ANYONE.rules, reviews, 'Copilot')).toEqual(['bob', 'carol']);
    expect(writeAccessLogins(CONFIG.rules.slice(0, 1), reviews, 'Copilot')).toEqual([]);
  });

  it('evaluateGate gives the same result with write access of these logins only as with everyone’s', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const logins = ['bob', 'carol', 'dave', 'erin', 'requester', 'Copilot', 'ci[bot]'];
    const states: ReviewFact['state'][] = ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED'];
    for (let run = 0; run < 300; run++) {
      const reviews = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
        review(
          logins[Math.floor(random() * logins.length)]!,
          states[Math.floor(random() * states.length)]!,
          random() < 0.8 ? 'c2' : 'c1',
          `2026-01-01T1${i}:00:00Z`,
          {
            automated: random() < 0.1,
          },
        ),
      );
      const everyone = Object.fromEntries(logins.map((l) => [l.toLowerCase(), random() < 0.6]));
      const base = facts({ reviews, writeAccess: everyone });
      const needed = writeAccessLogins(
        applicableRules(ANYONE.rules, base.authorship, base.touchedGroups).map((a) => a.rule),
        reviews,
        'Copilot',
      );
      const restricted = Object.fromEntries(needed.map((l) => [l, everyone[l] ?? false]));
      expect(evaluateGate(ANYONE, { ...base, writeAccess: restricted })).toEqual(evaluateGate(ANYONE, base));
    }
  });
});
