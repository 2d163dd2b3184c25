import { gateCheckRun } from '../../src/gate/check.js';
import { evaluateGate } from '../../src/gate/evaluate.js';
import { renderConfigErrorCheckRun, truncate, OUTPUT_LIMIT } from '../../src/gate/summary.js';
import type { GateFacts } from '../../src/gate/types.js';
import { config, facts, review } from './helpers.js';

const RULES = [
  { name: 'security-review', if: { paths: ['auth'] }, require: { reviewers: ['@acme/security'], count: 1 } },
  { name: 'agent-review', require: { count: 2 } },
];
const make = (mode: 'advisory' | 'enforce', extra: Record<string, unknown> = {}) =>
  config({ mode, paths: { auth: ['src/auth/**'] }, rules: RULES, overrides: { allowed: ['@acme/platform'] }, ...extra });
const WRITE = { bob: true, wes: true, zed: true };
const f = (approvers: string[], extra: Partial<GateFacts> = {}) =>
  facts({ reviews: approvers.map((l) => review(l, 'APPROVED')), writeAccess: WRITE, ...extra });

describe('pilot mode: what enforce would conclude', () => {
  it.each([
    ['advisory', [], 'neutral', 'action_required'],
    ['advisory', ['bob', 'zed'], 'success', 'success'],
    ['enforce', [], 'action_required', 'action_required'],
    ['enforce', ['bob', 'zed'], 'success', 'success'],
  ] as const)('%s with approvals %j → conclusion %s, enforce would give %s', (mode, approvers, conclusion, enforce) => {
    const result = evaluateGate(make(mode), f([...approvers]));
    expect(result.conclusion).toBe(conclusion);
    expect(result.enforceConclusion).toBe(enforce);
    expect(result.rules.map((r) => ({ name: r.name, mode: r.mode, holds: r.holds }))).toEqual([
      { name: 'security-review', mode, holds: approvers.length > 0 },
      { name: 'agent-review', mode, holds: approvers.length > 0 },
    ]);
  });

  it('a per-rule advisory mode under enforce: only the advisory rule fails (neutral), enforce would block', () => {
    const c = make('enforce', { rules: [RULES[0], { ...RULES[1], mode: 'advisory' }] });
    const result = evaluateGate(c, f(['bob']));
    expect(result).toMatchObject({ conclusion: 'neutral', enforceConclusion: 'action_required', satisfied: false });
    const { checkRun } = gateCheckRun(c, f(['bob']));
    expect(checkRun.output.summary).toContain('In enforce mode this PR would be blocked: 1 more approval from anyone with write access.');
  });

  it("the advisory summary's first lines say what enforcement would do", () => {
    const { checkRun } = gateCheckRun(make('advisory'), f([]));
    expect(checkRun.conclusion).toBe('neutral');
    expect(checkRun.output.title).toBe('Advisory: needs 1 approval from @acme/security; 2 approvals from anyone with write access');
    expect(checkRun.output.summary.split('\n\n').slice(0, 3)).toEqual([
      '**Advisory: needs 1 approval from @acme/security; 2 approvals from anyone with write access.** Cannot approve: @Copilot (the author), @requester (asked the agent for this PR), agents and bots.',
      'To override: @acme/platform can comment `/ai-review override <reason>` (it holds for the current head commit) or apply the label “ai\\-review\\: override”.',
      'In enforce mode this PR would be blocked: 1 more approval from @acme/security; 2 more approvals from anyone with write access.',
    ]);
  });

  it('advisory and all rules hold: enforce would pass', () => {
    const { checkRun } = gateCheckRun(make('advisory'), f(['bob', 'zed']));
    expect(checkRun.output.summary.split('\n\n').slice(0, 2)).toEqual([
      '**Ready to merge: all review rules hold.**',
      'In enforce mode this PR would pass: all review rules hold.',
    ]);
  });
});

describe('the title names the next step', () => {
  it.each<[string, string[], Partial<GateFacts>, string]>([
    ['nothing approved', [], {}, 'Needs 1 approval from @acme/security; 2 approvals from anyone with write access'],
    ['one write-access approval', ['zed'], {}, 'Needs 1 approval from @acme/security; 1 approval from anyone with write access'],
    ['all hold', ['bob', 'zed'], {}, 'Ready to merge: all review rules hold'],
    ['no rule applies', [], { authorship: { ...facts().authorship, class: 'human' } }, 'Ready to merge: no review rule applies'],
    [
      'changes requested',
      ['bob', 'zed'],
      { reviews: [review('bob', 'APPROVED'), review('zed', 'APPROVED'), review('wes', 'CHANGES_REQUESTED')] },
      'Needs a new review from @wes (changes requested)',
    ],
  ])('%s → %s', (_name, approvers, extra, title) => {
    expect(evaluateGate(make('enforce'), f(approvers, extra)).title).toBe(title);
  });

  it('the requester may approve when requester_can_approve: not listed as unable', () => {
    const c = make('enforce', { review: { requester_can_approve: true } });
    expect(evaluateGate(c, f([])).cannotApprove).toEqual([
      { login: 'Copilot', reason: 'pr-author' },
      { login: null, reason: 'bot-or-agent' },
    ]);
    const { checkRun } = gateCheckRun(make('enforce', { overrides: { allowed: [] } }), f([]));
    expect(checkRun.output.summary).not.toContain('To override');
  });

  it('long titles are cut to 200 characters', () => {
    const rules = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}`, require: { reviewers: [`reviewer-number-${i}`], count: 1 } }));
    const title = evaluateGate(config({ mode: 'enforce', rules }), f([])).title;
    expect(title).toHaveLength(200);
    expect(title.endsWith('…')).toBe(true);
  });

  it('a configuration error names the file and the line', () => {
    const errors = [
      { path: 'rules[0].require.count', message: 'Too small', source: '.github/ai-review.yml', line: 7 },
      { path: 'mode', message: 'bad', source: '.github/ai-review.yml', line: 1 },
    ];
    expect(renderConfigErrorCheckRun(errors.slice(0, 1)).output.title).toBe('Configuration error in .github/ai-review.yml line 7');
    const two = renderConfigErrorCheckRun(errors);
    expect(two).toMatchObject({
      conclusion: 'failure',
      output: { title: 'Configuration error in .github/ai-review.yml line 7 (and 1 more problem)' },
    });
    expect(two.output.summary.startsWith('**Configuration error in \\.github/ai\\-review\\.yml line 7 \\(and 1 more problem\\).**')).toBe(
      true,
    );
  });
});

describe('output limits', () => {
  it('a summary over 65,535 characters is cut with a note saying how much was left out', () => {
    const long = `first line\n\n${'x'.repeat(70_000)}`;
    const cut = truncate(long);
    expect(cut.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(cut.startsWith('first line')).toBe(true);
    const left = long.length - cut.indexOf('\n\n---\n**Summary cut here:**');
    expect(cut).toMatch(new RegExp(`the last ${left.toLocaleString('en-US')} characters were left out\\.$`));
    expect(truncate('short')).toBe('short');
  });

  it('a PR with thousands of touched paths and owner sets still fits, verdict first', () => {
    const files = Array.from({ length: 3000 }, (_, i) => ({ filename: `src/auth/m${i}/${'deep/'.repeat(20)}file-${i}.ts` }));
    const codeowners = files.map((file, i) => `/${file.filename} @acme/team-${i}`).join('\n');
    const { checkRun } = gateCheckRun(
      config({ mode: 'enforce', paths: { auth: ['src/auth/**'] }, rules: [{ name: 'owners', require: { codeowners: true } }] }),
      f([], { changedFiles: files, codeowners: { path: 'CODEOWNERS', content: codeowners } }),
    );
    expect(checkRun.output.summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(checkRun.output.summary.startsWith('**Needs 1 approval from anyone with write access; 1 approval from @acme/team-0')).toBe(true);
  });
});
