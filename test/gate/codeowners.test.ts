import { applicableRules, evaluateGate, teamsToFetch } from '../../src/gate/evaluate.js';
import { reviewRequestCandidates } from '../../src/gate/requests.js';
import { gateCheckRun } from '../../src/gate/check.js';
import type { GateFacts } from '../../src/gate/types.js';
import { config, facts, review } from './helpers.js';

const CODEOWNERS = `*            @acme/platform
/src/auth/   @acme/security @alice
/src/web/    @acme/web
/src/web/generated/
*.md         docs@acme.dev
`;

const FILES = [
  { filename: 'src/auth/token.ts' },
  { filename: 'src/web/app.ts' },
  { filename: 'src/web/generated/api.ts' },
  { filename: 'README.md' },
  { filename: 'package.json' },
];

const OWNERS_CONFIG = config({
  mode: 'enforce',
  paths: { auth: ['src/auth/**'] },
  rules: [{ name: 'owners', require: { codeowners: true } }],
});

const TEAMS = { '@acme/security': ['bob', 'dave'], '@acme/web': ['wes'], '@acme/platform': ['erin'] };
const WRITE = { bob: true, dave: true, wes: true, erin: true, alice: true, doc: true, requester: true };

function ownerFacts(extra: Partial<GateFacts> = {}): GateFacts {
  return facts({
    changedFiles: FILES,
    codeowners: { path: '.github/CODEOWNERS', content: CODEOWNERS },
    teamMembers: TEAMS,
    writeAccess: WRITE,
    ...extra,
  });
}

describe('require.codeowners: every covered file with owners needs one of its owners', () => {
  it('no approval: every owner set is missing, the un-owned file needs nobody', () => {
    const rule = evaluateGate(OWNERS_CONFIG, ownerFacts()).rules[0]!;
    expect(rule.holds).toBe(false);
    expect(rule.codeowners).toEqual({
      source: '.github/CODEOWNERS',
      unavailable: null,
      ownerSets: [
        { line: 1, pattern: '*', owners: ['@acme/platform'], fileCount: 1, examples: ['package.json'], approvedBy: null },
        {
          line: 2,
          pattern: '/src/auth/',
          owners: ['@acme/security', '@alice'],
          fileCount: 1,
          examples: ['src/auth/token.ts'],
          approvedBy: null,
        },
        { line: 3, pattern: '/src/web/', owners: ['@acme/web'], fileCount: 1, examples: ['src/web/app.ts'], approvedBy: null },
        { line: 5, pattern: '*.md', owners: ['docs@acme.dev'], fileCount: 1, examples: ['README.md'], approvedBy: null },
      ],
      unownedFiles: 1,
      holds: false,
      missingOwners: ['@acme/platform', '@acme/security', '@alice', '@acme/web', 'docs@acme.dev'],
    });
  });

  it.each([
    ['one owner of each set approves (teams, a user, an email resolved to a login)', ['erin', 'alice', 'wes', 'doc'], true, []],
    ['the email owner is not resolved', ['erin', 'alice', 'wes', 'doc'], false, [5], {}],
    ['a team member of another set does not cover this one', ['erin', 'bob', 'doc'], false, [3]],
    ['only the catch-all owner approves', ['erin'], false, [2, 3, 5]],
  ] as const)('%s → holds %s', (_name, approvers, holds, missingLines, emails: Record<string, string> = { 'docs@acme.dev': 'doc' }) => {
    const result = evaluateGate(
      OWNERS_CONFIG,
      ownerFacts({ reviews: approvers.map((l) => review(l, 'APPROVED')), codeownerEmails: emails }),
    );
    const rule = result.rules[0]!;
    expect(rule.holds).toBe(holds);
    expect(rule.codeowners!.ownerSets.filter((s) => s.approvedBy === null).map((s) => s.line)).toEqual(missingLines);
    expect(result.conclusion).toBe(holds ? 'success' : 'action_required');
  });

  it.each([
    ['the approval is stale (an agent pushed after it)', review('alice', 'APPROVED', 'c1'), 'stale-agent-push'],
    ['the owner asked the agent for the PR', review('requester', 'APPROVED'), 'human-of-record'],
    ['the owner is a bot', review('alice', 'APPROVED', 'c2', '2026-01-01T10:00:00Z', { automated: true }), 'bot-or-agent'],
  ] as const)('an owner approval does not cover its set when %s', (_name, approval, reason) => {
    const owners = `/src/auth/ @alice @requester\n`;
    const rule = evaluateGate(
      OWNERS_CONFIG,
      ownerFacts({ codeowners: { path: 'CODEOWNERS', content: owners }, reviews: [review('erin', 'APPROVED'), approval] }),
    ).rules[0]!;
    expect(rule.codeowners!.ownerSets[0]!.approvedBy).toBeNull();
    expect(rule.ignoredApprovals).toEqual([{ login: approval.login, reason }]);
    expect(rule.holds).toBe(false);
  });

  it('a rule with paths covers only the files of its groups', () => {
    const c = config({
      mode: 'enforce',
      paths: { auth: ['src/auth/**'] },
      rules: [{ name: 'auth-owners', if: { paths: ['auth'] }, require: { codeowners: true } }],
    });
    const rule = evaluateGate(c, ownerFacts({ reviews: [review('dave', 'APPROVED')] })).rules[0]!;
    expect(rule.codeowners!.ownerSets.map((s) => [s.line, s.approvedBy])).toEqual([[2, 'dave']]);
    expect(rule.holds).toBe(true);
  });

  it('a renamed file needs the owners of its old and its new path', () => {
    const rule = evaluateGate(
      OWNERS_CONFIG,
      ownerFacts({
        changedFiles: [{ filename: 'lib/token.ts', previous_filename: 'src/auth/token.ts' }],
        reviews: [review('erin', 'APPROVED')],
      }),
    ).rules[0]!;
    expect(rule.codeowners!.ownerSets.map((s) => [s.examples, s.approvedBy])).toEqual([
      [['lib/token.ts'], 'erin'],
      [['src/auth/token.ts'], null],
    ]);
  });

  it('combines with reviewers and count: all must hold', () => {
    const c = config({
      mode: 'enforce',
      rules: [{ name: 'r', require: { reviewers: ['@acme/security'], count: 2, codeowners: true } }],
    });
    const f = (approvers: string[]) => ownerFacts({ changedFiles: [FILES[1]!], reviews: approvers.map((l) => review(l, 'APPROVED')) });
    expect(evaluateGate(c, f(['bob', 'dave'])).rules[0]).toMatchObject({ missingApprovals: 0, holds: false });
    expect(evaluateGate(c, f(['bob', 'wes'])).rules[0]).toMatchObject({ missingApprovals: 1, holds: false });
    expect(evaluateGate(c, f(['bob', 'dave', 'wes'])).rules[0]).toMatchObject({ missingApprovals: 0, holds: true });
  });

  it('changes requested by an owner of a covered file block the rule', () => {
    const rule = evaluateGate(
      OWNERS_CONFIG,
      ownerFacts({
        changedFiles: [FILES[1]!],
        reviews: [review('erin', 'APPROVED'), review('wes', 'CHANGES_REQUESTED')],
        writeAccess: { erin: true },
      }),
    ).rules[0]!;
    expect(rule).toMatchObject({ changesRequestedBy: ['wes'], holds: false });
  });

  it('no CODEOWNERS on the default branch: no file has owners, the requirement holds', () => {
    const rule = evaluateGate(OWNERS_CONFIG, ownerFacts({ codeowners: null, reviews: [review('erin', 'APPROVED')] })).rules[0]!;
    expect(rule.codeowners).toMatchObject({ source: null, unavailable: null, holds: true, ownerSets: [] });
    expect(rule.holds).toBe(true);
  });

  it.each([
    ['CODEOWNERS was not read', { codeowners: undefined }],
    ['the changed files were not listed', { changedFiles: undefined }],
  ])('fails closed when %s', (reason, extra) => {
    const result = gateCheckRun(OWNERS_CONFIG, { ...ownerFacts({ reviews: [review('erin', 'APPROVED')] }), ...extra });
    expect(result.result.rules[0]!.codeowners).toMatchObject({ unavailable: reason, holds: false });
    expect(result.checkRun.conclusion).toBe('action_required');
    expect(result.checkRun.output.title).toBe(`Needs code-owner approvals (${reason}: re-run the check)`);
  });
});

describe('CODEOWNERS in the plan, the review requests and the check run', () => {
  it('teamsToFetch adds the owner teams of covered files', () => {
    const f = ownerFacts();
    const rules = applicableRules(OWNERS_CONFIG.rules, f.authorship, f.touchedGroups).map((a) => a.rule);
    expect(teamsToFetch(OWNERS_CONFIG, rules, false)).toEqual([]);
    expect(teamsToFetch(OWNERS_CONFIG, rules, false, { changedFiles: f.changedFiles, codeowners: f.codeowners })).toEqual([
      '@acme/platform',
      '@acme/security',
      '@acme/web',
    ]);
  });

  it('review requests name the owners of uncovered sets once (emails cannot be requested)', () => {
    const result = evaluateGate(OWNERS_CONFIG, ownerFacts({ reviews: [review('erin', 'APPROVED')] }));
    expect(reviewRequestCandidates(result.rules)).toEqual(['@acme/security', 'alice', '@acme/web']);
  });

  it('the title names the missing owners; the summary shows every owner set and the rejected lines', () => {
    const { checkRun } = gateCheckRun(
      OWNERS_CONFIG,
      ownerFacts({
        codeowners: {
          path: '.github/CODEOWNERS',
          content: `${CODEOWNERS}*.ts not-an-owner\n`,
          errors: [{ line: 3, kind: 'Unknown owner', message: 'Unknown owner on line 3: make sure @acme/web exists\n\n  /src/web/' }],
        },
        reviews: [review('erin', 'APPROVED'), review('alice', 'APPROVED'), review('wes', 'APPROVED')],
      }),
    );
    expect(checkRun.output.title).toBe('Needs 1 approval from docs@acme.dev (code owner of *.md)');
    const s = checkRun.output.summary;
    expect(s).toContain('**Code owners** for owners (`.github/CODEOWNERS`):');
    expect(s).toContain('| @acme/platform | 1 | package\\.json | ✅ @erin |');
    expect(s).toContain('| @acme/security @alice | 2 | src/auth/token\\.ts | ✅ @alice |');
    expect(s).toContain('| docs\\@acme\\.dev | 5 | README\\.md | ❌ missing |');
    expect(s).toContain('1 covered path has no owners.');
    expect(s).toContain('- `.github/CODEOWNERS` line 3: Unknown owner: Unknown owner on line 3\\: make sure \\@acme/web exists');
    expect(s).toContain('- `.github/CODEOWNERS` line 6: Invalid owner: "not\\-an\\-owner" is not \\@user, \\@org/team or an email address');
  });
});
