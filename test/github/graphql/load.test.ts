/**
 * The fact loader against a GitHub that validates every query with GitHub's published schema and executes it: the
 * exact GraphQL queries and REST requests per scenario, the variables sent, and the facts in the REST shapes.
 */
import { ProbotOctokit } from 'probot';
import { planFacts } from '../../../src/gate/plan.js';
import { loadPullRequestFacts, type PullRequestFacts } from '../../../src/github/graphql/index.js';
import { FakeGitHub, user, type FakeFile } from './fake-github.js';
import {
  ALICE,
  COPILOT,
  ENFORCE,
  REF,
  RITA,
  SAM,
  SHA1,
  SHA2,
  configOf,
  copilotCommit,
  evaluateThroughLoader,
  fakeGitHub,
  humanCommit,
  humanPullRequest,
  restOctokit,
} from './helpers.js';

afterEach(() => FakeGitHub.cleanup());

const BASE_VARIABLES = { owner: 'acme', name: 'widgets', number: 7 };
const INITIAL_TIMELINE = ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT'];

async function load(github: FakeGitHub, options = {}): Promise<PullRequestFacts> {
  const result = await loadPullRequestFacts(restOctokit(), REF, 7, options);
  expect(github.invalid).toEqual([]);
  if (result.kind !== 'pull-request') throw new Error('not found');
  return result;
}

describe('a human PR', () => {
  it('is one GraphQL query costing 1 point, no REST request, and maps onto the REST shapes', async () => {
    const { github, repo } = fakeGitHub();
    repo.pulls.push({
      number: 7,
      author: ALICE,
      headRefName: 'fix-login',
      headRefOid: SHA2,
      labels: ['bug'],
      assignees: [ALICE],
      reviewRequests: [SAM, { __typename: 'Team', slug: 'security' }],
      files: [
        { path: 'src/login.ts', changeType: 'MODIFIED' },
        { path: 'README.md', changeType: 'ADDED' },
        { path: 'old.txt', changeType: 'DELETED' },
      ],
      commits: [humanCommit(SHA1), { ...humanCommit(SHA2), signature: { isValid: true, state: 'VALID' } }],
      reviews: [{ id: 900, author: SAM, state: 'APPROVED', commit: SHA2, submittedAt: '2026-01-01T11:00:00Z', canPush: true }],
    });
    const out = await evaluateThroughLoader(restOctokit(), 7);
    expect(github.invalid).toEqual([]);
    expect(out.result?.conclusion).toBe('success');
    expect({ graphql: out.graphqlQueries, rest: out.restRequests, cost: out.cost }).toEqual({ graphql: 1, rest: 0, cost: 1 });
    const [query] = github.graphqlRequests();
    expect(query!.operation).toBe('PullRequestFacts');
    expect(query!.variables).toEqual({ ...BASE_VARIABLES, timelineTypes: INITIAL_TIMELINE });
    const facts = out.facts;
    expect(facts.pullRequest).toEqual({
      number: 7,
      state: 'open',
      draft: false,
      title: 'A change',
      body: '',
      user: { login: 'alice', id: 1001, type: 'User' },
      head: { sha: SHA2, ref: 'fix-login' },
      base: { ref: 'main', sha: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0' },
      labels: [{ name: 'bug' }],
      assignees: [{ login: 'alice', id: 1001, type: 'User' }],
      requested_reviewers: [{ login: 'sam' }],
      requested_teams: [{ slug: 'security' }],
      changed_files: 3,
      commits: 2,
      additions: 10,
      deletions: 2,
      html_url: 'https://github.com/acme/widgets/pull/7',
      created_at: '2026-01-01T09:00:00Z',
    });
    expect(facts.files).toEqual([
      { filename: 'src/login.ts', status: 'modified', previous_filename: null },
      { filename: 'README.md', status: 'added', previous_filename: null },
      { filename: 'old.txt', status: 'removed', previous_filename: null },
    ]);
    expect(facts.commits[1]).toEqual({
      sha: SHA2,
      commit: {
        message: 'Fix the login form',
        author: { name: 'alice', email: 'alice@acme.dev', date: '2026-01-01T10:00:00Z' },
        committer: { name: 'alice', email: 'alice@acme.dev', date: '2026-01-01T10:00:00Z' },
        verification: { verified: true, reason: 'valid' },
      },
      author: { login: 'alice', id: 1001, type: 'User' },
      committer: { login: 'alice', id: 1001, type: 'User' },
    });
    expect(facts.commits[0]!.commit!.verification).toEqual({ verified: false, reason: 'unsigned' });
    expect(facts.reviews).toEqual([
      {
        id: 900,
        login: 'sam',
        userId: 77,
        userType: 'User',
        automated: false,
        state: 'APPROVED',
        commitId: SHA2,
        submittedAt: '2026-01-01T11:00:00Z',
      },
    ]);
    expect(facts.writeAccess).toEqual({ sam: true });
    expect(facts.config).toEqual({ repository: null, organization: null });
    expect(facts.codeowners).toBeNull();
    expect(facts.comments).toBeUndefined();
  });

  it('works the same through Probot’s Octokit', async () => {
    const { github, repo } = fakeGitHub();
    repo.pulls.push(
      humanPullRequest({
        files: [{ path: 'a.ts', changeType: 'MODIFIED' }],
      }),
    );
    const octokit = new ProbotOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false }, throttle: { enabled: false } });
    const result = await loadPullRequestFacts(octokit, REF, 7);
    expect(result.kind).toBe('pull-request');
    expect(result.usage).toEqual({
      graphqlQueries: 1,
      restRequests: 0,
      cost: 1,
      remaining: 4999,
      resetAt: '2030-01-01T00:00:00Z',
      restRemaining: null,
    });
    expect(github.requests).toHaveLength(1);
  });
});

describe('GitHub Enterprise Server (GHE_HOST)', () => {
  it('sends the query to /api/graphql and the REST reads under /api/v3', async () => {
    const { github, repo } = fakeGitHub({}, {}, { origin: 'https://ghe.acme.dev', enterprise: true });
    repo.pulls.push(humanPullRequest({ files: [{ path: 'lib/a.ts', changeType: 'RENAMED', previousPath: 'src/auth/a.ts' }] }));
    const octokit = new ProbotOctokit({
      auth: { token: 'ghs_test' },
      baseUrl: 'https://ghe.acme.dev/api/v3',
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const result = await loadPullRequestFacts(octokit, REF, 7);
    expect(github.invalid).toEqual([]);
    expect(result.kind === 'pull-request' && result.files[0]!.previous_filename).toBe('src/auth/a.ts');
    expect(github.restRequests().map((r) => r.path)).toEqual(['/api/v3/repos/acme/widgets/pulls/7/files?per_page=100&page=1']);
    expect(github.graphqlRequests()).toHaveLength(1);
  });
});

describe('an agent PR on a sensitive path that needs a team', () => {
  function agentPullRequest() {
    const { github, repo } = fakeGitHub({ '.github/ai-review.yml': ENFORCE }, { security: ['Sam', 'dave'] });
    repo.pulls.push({
      number: 7,
      author: COPILOT,
      headRefName: 'copilot/fix-login',
      headRefOid: SHA2,
      assignees: [RITA],
      files: [
        { path: 'src/auth/token.ts', changeType: 'MODIFIED' },
        { path: 'README.md', changeType: 'MODIFIED' },
      ],
      commits: [copilotCommit(SHA1), copilotCommit(SHA2)],
      reviews: [{ id: 901, author: SAM, state: 'APPROVED', commit: SHA2, submittedAt: '2026-01-01T11:00:00Z' }],
    });
    return github;
  }

  it('first evaluation: one query, then one query for the team the exact plan adds', async () => {
    const github = agentPullRequest();
    const out = await evaluateThroughLoader(restOctokit(), 7);
    expect(github.invalid).toEqual([]);
    expect(out.result?.conclusion).toBe('success');
    expect(out.result?.rules.map((r) => [r.name, r.holds, r.approvals.map((a) => a.login)])).toEqual([['security-review', true, ['sam']]]);
    expect({ graphql: out.graphqlQueries, rest: out.restRequests, cost: out.cost }).toEqual({ graphql: 2, rest: 0, cost: 2 });
    const [first, second] = github.graphqlRequests();
    expect(first!.variables).toEqual({ ...BASE_VARIABLES, timelineTypes: INITIAL_TIMELINE });
    expect(second!.operation).toBe('PullRequestFactsMissing');
    expect(second!.variables).toEqual({ o0: 'acme', o0t0: 'security' });
    expect(out.facts.teamMembers).toEqual({ '@acme/security': ['sam', 'dave'] });
    expect(out.facts.pullRequest.user).toEqual({ login: 'Copilot', id: 198982749, type: 'Bot' });
    expect(out.facts.commits[0]!.author).toEqual({ login: 'Copilot', id: 198982749, type: 'Bot' });
    expect(out.plan.teams).toEqual(['@acme/security']);
  });

  it('next evaluation with the previous exact plan: one query with the team, nothing after it', async () => {
    const github = agentPullRequest();
    const first = await evaluateThroughLoader(restOctokit(), 7);
    github.requests.length = 0;
    const again = await evaluateThroughLoader(restOctokit(), 7, first.plan);
    expect(again.result?.conclusion).toBe('success');
    expect({ graphql: again.graphqlQueries, rest: again.restRequests, cost: again.cost }).toEqual({ graphql: 1, rest: 0, cost: 1 });
    expect(github.graphqlRequests()[0]!.variables).toEqual({
      ...BASE_VARIABLES,
      timelineTypes: ['REVIEW_REQUESTED_EVENT'],
      o0: 'acme',
      o0t0: 'security',
    });
  });

  it('the conservative plan of a known config also fetches the team in the first query', async () => {
    const github = agentPullRequest();
    const first = await load(github);
    const prior = planFacts(configOf(first), {});
    github.requests.length = 0;
    const out = await evaluateThroughLoader(restOctokit(), 7, prior);
    expect({ graphql: out.graphqlQueries, rest: out.restRequests }).toEqual({ graphql: 1, rest: 0 });
    expect(prior.teams).toEqual(['@acme/security']);
  });
});

describe('paging', () => {
  it('reads more than 100 files with follow-up queries for the files connection only', async () => {
    const { github, repo } = fakeGitHub();
    const files: FakeFile[] = Array.from({ length: 250 }, (_, i) => ({
      path: `src/f${String(i).padStart(3, '0')}.ts`,
      changeType: 'MODIFIED',
    }));
    repo.pulls.push(humanPullRequest({ files }));
    const facts = await load(github);
    expect(facts.files).toHaveLength(250);
    expect(facts.files[249]).toEqual({ filename: 'src/f249.ts', status: 'modified', previous_filename: null });
    const queries = github.graphqlRequests();
    expect(queries.map((q) => q.operation)).toEqual(['PullRequestFacts', 'PullRequestFactsPage', 'PullRequestFactsPage']);
    expect(queries[1]!.variables).toEqual({ ...BASE_VARIABLES, filesAfter: Buffer.from('cursor:99').toString('base64') });
    expect(queries[2]!.variables).toEqual({ ...BASE_VARIABLES, filesAfter: Buffer.from('cursor:199').toString('base64') });
    expect(queries[1]!.query).toMatch(/pullRequest\(number: \$number\) \{ files: files\(first: 100, after: \$filesAfter\)/);
    expect(queries[1]!.query).not.toMatch(/commits|reviews|object\(/);
    expect(facts.usage).toMatchObject({ graphqlQueries: 3, restRequests: 0, cost: 3 });
  });

  it('pages every long connection in the same follow-up query (commits and a team)', async () => {
    const { github, repo } = fakeGitHub({}, { big: Array.from({ length: 130 }, (_, i) => `member${i}`) });
    const commits = Array.from({ length: 120 }, (_, i) => humanCommit(`${String(i).padStart(40, '0')}`));
    repo.pulls.push({
      number: 7,
      author: ALICE,
      headRefOid: commits[119]!.oid,
      files: [{ path: 'a.ts', changeType: 'MODIFIED' }],
      commits,
    });
    const facts = await load(github, { plan: { ...planFacts(null), teams: ['@acme/big'] } });
    expect(facts.commits).toHaveLength(120);
    expect(facts.teamMembers['@acme/big']).toHaveLength(130);
    const queries = github.graphqlRequests();
    expect(queries).toHaveLength(2);
    expect(queries[1]!.variables).toEqual({
      ...BASE_VARIABLES,
      commitsAfter: Buffer.from('cursor:99').toString('base64'),
      o0: 'acme',
      o0t0: 'big',
      o0t0After: Buffer.from('cursor:99').toString('base64'),
    });
  });
});

describe('a renamed file', () => {
  it('moved out of a sensitive directory: the REST page holding it is read once and the move touches auth', async () => {
    const { github, repo } = fakeGitHub({ '.github/ai-review.yml': ENFORCE }, { security: ['sam'] });
    repo.pulls.push({
      number: 7,
      author: COPILOT,
      headRefOid: SHA2,
      files: [
        { path: 'lib/token.ts', changeType: 'RENAMED', previousPath: 'src/auth/token.ts' },
        { path: 'README.md', changeType: 'MODIFIED' },
      ],
      commits: [copilotCommit(SHA2)],
    });
    const out = await evaluateThroughLoader(restOctokit(), 7);
    expect(github.invalid).toEqual([]);
    expect(out.facts.files[0]).toEqual({ filename: 'lib/token.ts', status: 'renamed', previous_filename: 'src/auth/token.ts' });
    expect(out.result?.rules.map((r) => [r.name, r.matchedGroups])).toEqual([['security-review', ['auth']]]);
    expect(out.result?.conclusion).toBe('action_required');
    expect(github.restRequests()).toEqual([{ api: 'rest', method: 'GET', path: '/repos/acme/widgets/pulls/7/files?per_page=100&page=1' }]);
    expect({ graphql: out.graphqlQueries, rest: out.restRequests }).toEqual({ graphql: 2, rest: 1 });
  });

  it('on the second page of files: only that page is read', async () => {
    const { github, repo } = fakeGitHub();
    const files: FakeFile[] = Array.from({ length: 180 }, (_, i) => ({
      path: `docs/p${String(i).padStart(3, '0')}.md`,
      changeType: 'MODIFIED',
    }));
    files[150] = { path: 'lib/key.pem', changeType: 'RENAMED', previousPath: 'secrets/key.pem' };
    repo.pulls.push(humanPullRequest({ files }));
    const facts = await load(github);
    expect(facts.files[150]!.previous_filename).toBe('secrets/key.pem');
    expect(github.restRequests().map((r) => r.path)).toEqual(['/repos/acme/widgets/pulls/7/files?per_page=100&page=2']);
    expect(facts.cannotEvaluate).toBeNull();
  });

  it('whose previous path REST does not give: fails closed', async () => {
    const { github, repo } = fakeGitHub();
    repo.pulls.push(
      humanPullRequest({
        files: [{ path: 'lib/x.ts', changeType: 'RENAMED' }],
      }),
    );
    const facts = await load(github);
    expect(facts.cannotEvaluate?.reason).toBe('rename-unresolved');
    expect(github.restRequests()).toHaveLength(1);
  });
});

describe('past GitHub’s listing limits', () => {
  it('more than 3,000 files: one query, nothing paged, the existing failure message', async () => {
    const { github, repo } = fakeGitHub();
    const files: FakeFile[] = Array.from({ length: 150 }, (_, i) => ({ path: `gen/${i}.ts`, changeType: 'ADDED' }));
    repo.pulls.push(humanPullRequest({ files, changedFiles: 3001 }));
    const facts = await load(github);
    expect(facts.cannotEvaluate).toEqual({
      reason: 'too-many-files',
      message:
        'This pull request changes 3001 files. GitHub lists at most 3000 files of a pull request, so the gate cannot see which paths it touches. Split it into smaller pull requests.',
    });
    expect(github.requests).toHaveLength(1);
    expect(facts.usage).toMatchObject({ graphqlQueries: 1, restRequests: 0 });
  });

  it('fewer files listed than the PR changes: fails closed', async () => {
    const { github, repo } = fakeGitHub();
    repo.pulls.push(humanPullRequest({ files: [{ path: 'a.ts', changeType: 'MODIFIED' }], changedFiles: 2 }));
    const facts = await load(github);
    expect(facts.cannotEvaluate).toEqual({
      reason: 'files-incomplete',
      message:
        'GitHub listed 1 of the 2 files this pull request changes, so the gate cannot see every path it touches. Use Re-run on this check to try again, or split the pull request.',
    });
  });

  it('more than 250 commits: one query, nothing paged', async () => {
    const { github, repo } = fakeGitHub();
    const commits = Array.from({ length: 101 }, (_, i) => humanCommit(`${String(i).padStart(40, '0')}`));
    repo.pulls.push(
      humanPullRequest({
        files: [{ path: 'a.ts', changeType: 'MODIFIED' }],
        commits,
        commitCount: 251,
      }),
    );
    const facts = await load(github);
    expect(facts.cannotEvaluate?.reason).toBe('too-many-commits');
    expect(facts.cannotEvaluate?.message).toMatch(/^This pull request has 251 commits\. GitHub lists at most 250 commits/);
    expect(github.requests).toHaveLength(1);
  });
});

describe('configuration files', () => {
  it('an organization-level config comes through the aliased `.github` repository in the same query', async () => {
    const { github, repo } = fakeGitHub();
    github.repositories.push({ owner: 'acme', name: '.github', files: { '.github/ai-review.yml': 'mode: enforce\n' }, pulls: [] });
    repo.pulls.push(
      humanPullRequest({
        files: [{ path: 'a.ts', changeType: 'MODIFIED' }],
      }),
    );
    const facts = await load(github);
    expect(facts.config.repository).toBeNull();
    expect(facts.config.organization).toMatchObject({ repository: 'acme/.github', path: '.github/ai-review.yml', text: 'mode: enforce\n' });
    expect(facts.config.organization?.oid).toMatch(/^[0-9a-f]{40}$/);
    expect(configOf(facts).file.mode).toBe('enforce');
    expect(github.requests).toHaveLength(1);
    expect(github.graphqlRequests()[0]!.query).toContain('organizationConfig: repository(owner: $owner, name: ".github")');
  });

  it('returns the raw text, `_extends` included, for the caller to follow', async () => {
    const { github, repo } = fakeGitHub({ '.github/ai-review.yml': '_extends: .github\nmode: advisory\n' });
    repo.pulls.push(humanPullRequest());
    const facts = await load(github);
    expect(facts.config.repository?.text).toBe('_extends: .github\nmode: advisory\n');
    expect(facts.config.organization).toBeNull();
  });

  it('reads a file GraphQL truncated once through REST', async () => {
    const codeowners = '* @acme/web\n'.padEnd(200, '#');
    const { github, repo } = fakeGitHub({ '.github/CODEOWNERS': codeowners });
    repo.truncated = ['.github/CODEOWNERS'];
    repo.pulls.push(humanPullRequest());
    const facts = await load(github);
    expect(facts.codeowners).toEqual({ path: '.github/CODEOWNERS', content: codeowners });
    expect(github.restRequests()).toEqual([{ api: 'rest', method: 'GET', path: '/repos/acme/widgets/contents/.github/CODEOWNERS' }]);
  });
});

describe('facts the plan asks for', () => {
  it('CODEOWNERS: the first location GitHub uses, its errors, and the code-owner team in the follow-up query', async () => {
    const config = `rules:\n  - name: owners\n    if: { author: any }\n    require: { count: 1, codeowners: true }\n`;
    const { github, repo } = fakeGitHub(
      { '.github/ai-review.yml': config, CODEOWNERS: '* @acme/web\n', 'docs/CODEOWNERS': '* @bob\n' },
      { web: ['erin'] },
    );
    repo.codeownersErrors = [
      { line: 3, column: 1, kind: 'Unknown owner', message: 'Unknown owner', suggestion: null, path: 'CODEOWNERS', source: '' },
    ];
    repo.pulls.push(
      humanPullRequest({
        files: [{ path: 'src/a.ts', changeType: 'MODIFIED' }],
        reviews: [{ id: 5, author: user('erin', 5), state: 'APPROVED', commit: SHA2, submittedAt: '2026-01-01T12:00:00Z' }],
      }),
    );
    const out = await evaluateThroughLoader(restOctokit(), 7);
    expect(github.invalid).toEqual([]);
    expect(out.facts.codeowners).toEqual({
      path: 'CODEOWNERS',
      content: '* @acme/web\n',
      errors: [{ line: 3, kind: 'Unknown owner', message: 'Unknown owner', suggestion: null }],
    });
    expect(out.result?.rules[0]?.codeowners?.holds).toBe(true);
    expect(github.graphqlRequests()[1]!.variables).toEqual({ o0: 'acme', o0t0: 'web' });
    expect(out.graphqlQueries).toBe(2);
  });

  it('the override label: its events with actors, and the allowed team', async () => {
    const config = `mode: enforce\noverrides:\n  allowed: ["@acme/platform"]\n`;
    const { github, repo } = fakeGitHub({ '.github/ai-review.yml': config }, { platform: ['erin'] });
    const erin = { __typename: 'User' as const, login: 'erin', databaseId: 9 };
    repo.pulls.push({
      number: 7,
      author: COPILOT,
      headRefOid: SHA2,
      labels: ['ai-review: override'],
      files: [{ path: 'a.ts', changeType: 'MODIFIED' }],
      commits: [copilotCommit(SHA2)],
      timeline: [
        { __typename: 'LabeledEvent', actor: RITA, label: 'ai-review: override', createdAt: '2026-01-01T10:00:00Z' },
        { __typename: 'UnlabeledEvent', actor: RITA, label: 'ai-review: override', createdAt: '2026-01-01T10:01:00Z' },
        { __typename: 'LabeledEvent', actor: erin, label: 'ai-review: override', createdAt: '2026-01-01T10:02:00Z' },
        { __typename: 'IssueComment', id: 31, author: erin, body: 'looks fine', createdAt: '2026-01-01T10:03:00Z' },
      ],
    });
    const out = await evaluateThroughLoader(restOctokit(), 7);
    expect(github.invalid).toEqual([]);
    expect(out.result?.override).toMatchObject({ login: 'erin', source: 'label' });
    expect(out.result?.conclusion).toBe('success');
    expect(out.facts.timeline.filter((e) => e.event !== 'review_requested')).toEqual([
      {
        event: 'labeled',
        actor: { login: 'rita', id: 4242, type: 'User' },
        label: { name: 'ai-review: override' },
        created_at: '2026-01-01T10:00:00Z',
      },
      {
        event: 'unlabeled',
        actor: { login: 'rita', id: 4242, type: 'User' },
        label: { name: 'ai-review: override' },
        created_at: '2026-01-01T10:01:00Z',
      },
      {
        event: 'labeled',
        actor: { login: 'erin', id: 9, type: 'User' },
        label: { name: 'ai-review: override' },
        created_at: '2026-01-01T10:02:00Z',
      },
    ]);
    expect(out.facts.comments).toEqual([
      { id: 31, login: 'erin', body: 'looks fine', createdAt: '2026-01-01T10:03:00Z', updatedAt: '2026-01-01T10:03:00Z' },
    ]);
    expect(github.graphqlRequests()[1]!.variables).toEqual({
      ...BASE_VARIABLES,
      timelineTypes: ['ISSUE_COMMENT'],
      o0: 'acme',
      o0t0: 'platform',
    });
  });

  it('review requests as REST timeline events, for asking reviewers once per PR', async () => {
    const { github, repo } = fakeGitHub();
    repo.pulls.push(
      humanPullRequest({
        files: [],
        timeline: [
          { __typename: 'ReviewRequestedEvent', actor: ALICE, reviewer: SAM, createdAt: '2026-01-01T10:00:00Z' },
          {
            __typename: 'ReviewRequestedEvent',
            actor: ALICE,
            reviewer: { __typename: 'Team', slug: 'security' },
            createdAt: '2026-01-01T10:01:00Z',
          },
        ],
      }),
    );
    const facts = await load(github);
    expect(facts.timeline).toEqual([
      {
        event: 'review_requested',
        actor: { login: 'alice', id: 1001, type: 'User' },
        requested_reviewer: { login: 'sam', id: 77, type: 'User' },
        requested_team: null,
        created_at: '2026-01-01T10:00:00Z',
      },
      {
        event: 'review_requested',
        actor: { login: 'alice', id: 1001, type: 'User' },
        requested_reviewer: null,
        requested_team: { slug: 'security' },
        created_at: '2026-01-01T10:01:00Z',
      },
    ]);
  });

  it('a team GitHub does not know, and an organization it does not know, have no members', async () => {
    const { github, repo } = fakeGitHub({}, { security: ['sam'] });
    repo.pulls.push(humanPullRequest());
    const facts = await load(github, { plan: { ...planFacts(null), teams: ['@acme/ghost', '@acme/security', '@other/x'] } });
    expect(facts.teamMembers).toEqual({ '@acme/ghost': [], '@acme/security': ['sam'], '@other/x': [] });
    expect(facts.missingTeams).toEqual(['@acme/ghost', '@other/x']);
    expect(github.graphqlRequests()[0]!.variables).toMatchObject({ o0: 'acme', o0t0: 'ghost', o0t1: 'security', o1: 'other', o1t0: 'x' });
  });
});

describe('not found', () => {
  it('a PR that does not exist is `not-found` after one query', async () => {
    const { github } = fakeGitHub();
    const result = await loadPullRequestFacts(restOctokit(), REF, 7);
    expect(result.kind).toBe('not-found');
    expect(github.requests).toHaveLength(1);
  });
});
