/**
 * Integration: real webhook payloads through Probot with a nock GitHub, asserting the exact API calls (GraphQL
 * queries with their variables, REST reads and writes) and check-run bodies. Each test uses its own PR number: the
 * app remembers each PR's last fact plan (src/github/evaluate-pull-request.ts), so a number shared between tests
 * would make one test's query count depend on another.
 */
import {
  COPILOT,
  GitHubMock,
  HUMAN,
  OWNER,
  REPO,
  commit,
  createTestProbot,
  examplePayload,
  files,
  pullRequestPayload,
  reviewItem,
  type CheckRunBody,
  type ExamplePayload,
  type PushCommit,
  type RestReview,
} from './harness.js';
import type { Probot } from 'probot';

const SHA1 = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
const SHA2 = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const SHA3 = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const R = `/repos/${OWNER}/${REPO}`;
/** The first query of a PR the app has not evaluated before asks for these timeline items (src/gate/plan.ts INITIAL_PLAN). */
const INITIAL_TIMELINE = ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT'];
const firstQuery = (number: number) => ({
  operation: 'PullRequestFacts',
  variables: { owner: OWNER, name: REPO, number, timelineTypes: INITIAL_TIMELINE },
});

const ENFORCE = `mode: enforce
paths:
  auth: ["src/auth/**"]
rules:
  - name: security-review
    if:
      author: agent
      paths: [auth]
    require:
      reviewers: ["@acme/security"]
      count: 1
`;

const copilotCommit = (sha: string, message = 'Fix token refresh') =>
  commit(
    sha,
    COPILOT,
    `${message}\n\nCo-authored-by: rita <4242+rita@users.noreply.github.com>`,
    '198982749+Copilot@users.noreply.github.com',
  );
const SECURITY_TEAM = [{ login: 'sam', id: 77, type: 'User' }];
const APP_BOT = { login: 'ai-review[bot]', id: 9, type: 'Bot' };

let github: GitHubMock;
let probot: Probot;

beforeEach(async () => {
  github = new GitHubMock();
  probot = await createTestProbot();
});
afterEach(() => GitHubMock.cleanup());

/**
 * Delivers a webhook and runs the jobs it queued. A `pull_request` delivery's job reads the PR's newest state
 * through GraphQL: the in-memory GitHub holds the delivered PR object.
 */
async function deliver(name: string, payload: ExamplePayload, id = `d-${Math.random()}`) {
  if (name === 'pull_request' && 'pull_request' in payload && payload.sender?.login !== 'ai-review[bot]')
    github.pullRequest(payload.pull_request);
  await probot.receive({ id, name, payload } as never);
}

describe('an agent PR touching a sensitive path', () => {
  it('is blocked, asks the security team once, and turns green when a team member approves', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(7, { files: files('src/auth/token.ts', 'README.md'), commits: [copilotCommit(SHA1), copilotCommit(SHA2)] })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun(555)
      .post(`${R}/pulls/7/requested_reviewers`, {});
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2, assignees: [HUMAN('rita', 4242)] }));
    github.verify();
    // First evaluation of the PR: one query with the initial plan, one more for the team the rule turned out to need.
    expect(github.routes()).toEqual([
      'POST /graphql',
      'POST /graphql',
      `GET ${R}/commits/${SHA2}/check-runs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls/7/requested_reviewers`,
    ]);
    expect(github.queries()).toEqual([
      firstQuery(7),
      { operation: 'PullRequestFactsMissing', variables: { o0: 'acme', o0t0: 'security' } },
    ]);
    // The config is read from the default branch (`HEAD:`), never from the PR's head, in the same query.
    expect(github.queryText(0)).toContain('config: object(expression: "HEAD:.github/ai-review.yml")');
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({
      name: 'ai-review',
      head_sha: SHA2,
      status: 'completed',
      conclusion: 'action_required',
      output: { title: 'Needs 1 approval from @acme/security' },
    });
    expect(created.output.summary).toContain('coding agent **copilot** (high confidence)');
    expect(created.output.summary).toContain('requested by @rita');
    expect(created.output.summary).toContain('| auth | 1 | src/auth/token\\.ts |');
    expect(created.output.summary).toContain(
      '| security\\-review (paths: auth) | enforce | ❌ not met | — (0/1) | 1 more approval from @acme/security |',
    );
    expect(github.body('POST', `${R}/pulls/7/requested_reviewers`)).toEqual({ reviewers: [], team_reviewers: ['security'] });

    // A member of @acme/security approves the head commit: the stored check run is updated to success.
    GitHubMock.cleanup();
    github = new GitHubMock();
    const review = examplePayload('pull_request_review', 'submitted');
    review.pull_request.number = 7;
    review.pull_request.head.sha = SHA2;
    review.pull_request.user = COPILOT;
    review.review = { ...review.review, user: { login: 'sam', id: 77, type: 'User' }, state: 'approved', commit_id: SHA2 };
    review.sender = { login: 'sam', id: 77, type: 'User' };
    github
      .pullRequest({
        ...pullRequestPayload('opened', { sha: SHA2, assignees: [HUMAN('rita', 4242)] }).pull_request,
        requested_teams: [{ slug: 'security' }],
      })
      .config(ENFORCE)
      .pullRequestFacts(7, {
        files: files('src/auth/token.ts', 'README.md'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'sam', 'APPROVED', SHA2)],
        timeline: [{ event: 'review_requested', actor: APP_BOT, requested_team: { slug: 'security' }, created_at: '2026-01-01T09:00:00Z' }],
      })
      .team('security', SECURITY_TEAM)
      .updateCheckRun(555);
    await deliver('pull_request_review', review);
    github.verify();
    // The previous evaluation's plan names the team: one query. The run's id is stored: no read before the write.
    expect(github.routes()).toEqual(['POST /graphql', `PATCH ${R}/check-runs/555`]);
    expect(github.queries()).toEqual([
      {
        operation: 'PullRequestFacts',
        variables: { owner: OWNER, name: REPO, number: 7, timelineTypes: ['REVIEW_REQUESTED_EVENT'], o0: 'acme', o0t0: 'security' },
      },
    ]);
    const updated = github.body<CheckRunBody>('PATCH', `${R}/check-runs/555`);
    expect(updated).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      output: { title: 'Ready to merge: all review rules hold' },
    });
    expect(updated.output.summary).toContain('| security\\-review (paths: auth) | enforce | ✅ holds | @sam (1/1) | — |');
    // Review events never (re-)request reviewers.
    expect(github.routes().some((r) => r.includes('requested_reviewers'))).toBe(false);
  });

  it('after a new agent push the approval is stale again and the new head is blocked', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(9, {
        files: files('src/auth/token.ts'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2), copilotCommit(SHA3, 'Address review')],
        reviews: [reviewItem(1, 'sam', 'APPROVED', SHA2)],
        timeline: [{ event: 'review_requested', actor: APP_BOT, requested_team: { slug: 'security' }, created_at: '2026-01-01T09:00:00Z' }],
      })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA3)
      .createCheckRun(556);
    await deliver('pull_request', pullRequestPayload('synchronize', { number: 9, sha: SHA3, commits: 3 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql', `GET ${R}/commits/${SHA3}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ head_sha: SHA3, conclusion: 'action_required' });
    expect(created.output.summary).toContain('**Approvals that did not count:** @sam (an agent pushed after this approval)');
    // The team was requested before (GraphQL timeline, in the first query): not requested again.
    expect(github.routes().some((r) => r.includes('requested_reviewers'))).toBe(false);
  });

  it("the requester's approval does not count", async () => {
    const config = `mode: enforce
rules:
  - name: agent-review
    require:
      reviewers: ["rita", "sam"]
`;
    github
      .config(config)
      .pullRequestFacts(10, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'rita', 'APPROVED', SHA2)],
      })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { number: 10, sha: SHA2 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('action_required');
    expect(created.output.summary).toContain('@rita (asked the agent for this PR)');
    expect(created.output.summary).toContain('1 more approval from @rita or @sam');
  });
});

describe('other verdicts', () => {
  it('a human PR to which no rule applies is green, with one GraphQL query and one REST write after the lookup', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('src/auth/token.ts'), commits: [commit(SHA2, HUMAN('zoe'), 'Refactor auth', 'zoe@acme.dev')] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 8, user: HUMAN('zoe'), sha: SHA2, ref: 'zoe/refactor' }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queries()).toEqual([firstQuery(8)]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Ready to merge: no review rule applies' } });
    expect(created.output.summary).toContain('**Author:** human');
  });

  it('advisory mode (built-in defaults, no config anywhere) reports neutral and never blocks', async () => {
    github
      .config(null, null)
      .pullRequestFacts(11, { files: files('.github/workflows/ci.yml'), commits: [copilotCommit(SHA2)] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('ready_for_review', { number: 11, sha: SHA2, commits: 1 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({
      conclusion: 'neutral',
      output: { title: 'Advisory: needs 2 approvals from anyone with write access' },
    });
    expect(created.output.summary).toContain('| ci | 1 | \\.github/workflows/ci\\.yml |');
    expect(created.output.summary).toContain('built-in defaults');
    expect(created.output.summary).toContain('2 more approvals from anyone with write access');
  });

  it('an organization-level config (acme/.github) applies when the repository has none, from the same query', async () => {
    github
      .config(null, ENFORCE)
      .pullRequestFacts(21, { files: files('src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { number: 21, sha: SHA2, commits: 1 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queryText(0)).toContain('organizationConfig: repository(owner: $owner, name: ".github")');
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({
      conclusion: 'action_required',
      output: { title: 'Needs 1 approval from @acme/security' },
    });
  });

  it('without listed reviewers, an approver counts when GitHub says they have write access', async () => {
    github
      .config(null, null)
      .pullRequestFacts(12, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'zed', 'APPROVED', SHA2), reviewItem(2, 'yan', 'APPROVED', SHA2)],
        writers: ['zed'],
      })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { number: 12, sha: SHA2, commits: 1 }));
    github.verify();
    // Write access comes with each review (`authorCanPushToRepository`): no permission reads.
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queryText(0)).toContain('authorCanPushToRepository');
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Ready to merge: all review rules hold' } });
    expect(created.output.summary).toContain('| agent\\-pr\\-review | advisory | ✅ holds | @zed (1/1) | — |');
    expect(created.output.summary).toContain('@yan (no write access for agent\\-pr\\-review)');
  });

  it('an invalid config gives a failure check run naming the key and line', async () => {
    const bad = 'mode: enforce\nrules:\n  - name: r\n    require:\n      count: zero\n';
    github.config(bad, null).checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 13, sha: SHA2 }));
    github.verify();
    // The file's text comes with the facts query: no second read for line numbers.
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'failure', output: { title: 'Configuration error in .github/ai-review.yml line 5' } });
    expect(created.output.summary).toContain(
      '| \\.github/ai\\-review\\.yml | 5 | rules\\[0\\]\\.require\\.count | Invalid input\\: expected number, received string |',
    );
  });

  it('invalid YAML gives a failure check run with the parser line', async () => {
    github.config('mode: enforce\nrules: [\n').checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 14, sha: SHA2 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('failure');
    expect(created.output.summary).toContain('invalid YAML');
  });

  it('a PR that edits .github/ai-review.yml to drop its own rule is judged by the default branch config', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(15, { files: files('.github/ai-review.yml', 'src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun()
      .post(`${R}/pulls/15/requested_reviewers`, {});
    await deliver('pull_request', pullRequestPayload('opened', { number: 15, sha: SHA2, commits: 1 }));
    github.verify();
    expect(github.routes()).toEqual([
      'POST /graphql',
      'POST /graphql',
      `GET ${R}/commits/${SHA2}/check-runs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls/15/requested_reviewers`,
    ]);
    // The config is the default branch's (`HEAD:`), never the PR head's.
    expect(github.queryText(0)).toContain('object(expression: "HEAD:.github/ai-review.yml")');
    expect(github.queryText(0)).not.toMatch(/expression: "(?!HEAD:)/);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('action_required');
    expect(created.output.summary).toContain('| agent\\-config | 1 | \\.github/ai\\-review\\.yml |');
  });

  it('a 3001-file PR fails closed without listing its files', async () => {
    github.config(ENFORCE).checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 16, sha: SHA2, changedFiles: 3001 }));
    github.verify();
    // One query (its first page of files is not paged further), no REST read.
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queries()).toEqual([firstQuery(16)]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'failure', output: { title: 'The review gate could not be evaluated' } });
    expect(created.output.summary).toContain('This pull request changes 3001 files. GitHub lists at most 3000 files');
  });

  it('an agent PR renaming a file out of src/auth/ still touches auth: the REST page of files gives the previous path', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(22, {
        files: files({ filename: 'src/session/token.ts', previous_filename: 'src/auth/token.ts' }),
        commits: [copilotCommit(SHA2)],
      })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { number: 22, sha: SHA2, commits: 1 }));
    github.verify();
    expect(github.routes()).toEqual([
      'POST /graphql',
      `GET ${R}/pulls/22/files`,
      'POST /graphql',
      `GET ${R}/commits/${SHA2}/check-runs`,
      `POST ${R}/check-runs`,
    ]);
    expect(github.calls[1]!.path).toBe(`${R}/pulls/22/files?per_page=100&page=1`);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'action_required', output: { title: 'Needs 1 approval from @acme/security' } });
    expect(created.output.summary).toContain('src/auth/token\\.ts');
  });

  it('a GitHub API error that does not go away within the retry window leaves a failure check run that says how to re-run', async () => {
    probot = await createTestProbot({ retryWindowSeconds: 0 });
    github.graphqlFault = () => [502, { message: 'Server Error' }];
    github.config(ENFORCE).checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 17, sha: SHA2 }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'failure', output: { title: 'The review gate could not be evaluated' } });
    expect(created.output.summary).toContain('GitHub answered HTTP 502. ai-review retried for 0 minutes and gave up');
    expect(created.output.summary).toContain('**Re-run**');
  });
});

describe('overrides and drafts', () => {
  const OVERRIDE_CONFIG = `${ENFORCE}overrides:\n  allowed: ["@acme/platform"]\n`;

  it('an override label applied by an allowed team member turns the gate green; the timeline says who applied it', async () => {
    github
      .config(OVERRIDE_CONFIG)
      .pullRequestFacts(18, {
        files: files('src/auth/token.ts'),
        commits: [copilotCommit(SHA2)],
        timeline: [
          {
            event: 'labeled',
            actor: { login: 'mallory', id: 66, type: 'User' },
            label: { name: 'ai-review: override' },
            created_at: '2026-01-01T08:00:00Z',
          },
          {
            event: 'unlabeled',
            actor: { login: 'sam', id: 77, type: 'User' },
            label: { name: 'ai-review: override' },
            created_at: '2026-01-01T08:30:00Z',
          },
          {
            event: 'labeled',
            actor: { login: 'pat', id: 88, type: 'User' },
            label: { name: 'ai-review: override' },
            created_at: '2026-01-01T09:00:00Z',
          },
        ],
        comments: [],
      })
      .team('platform', [{ login: 'pat', id: 88, type: 'User' }])
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('labeled', { number: 18, sha: SHA2, commits: 1, labels: ['ai-review: override'] }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    // The label events come with the first query; the second reads the two teams and the comments (override commands).
    expect(github.queries()[1]).toEqual({
      operation: 'PullRequestFactsMissing',
      variables: { owner: OWNER, name: REPO, number: 18, timelineTypes: ['ISSUE_COMMENT'], o0: 'acme', o0t0: 'platform', o0t1: 'security' },
    });
    const created = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Overridden by @pat' } });
    expect(created.output.summary).toContain('**Override label ignored:** applied by @mallory, who is not allowed to override');
  });

  it('a draft agent PR is evaluated but nobody is asked for review', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(19, { files: files('src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .team('security', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 19, sha: SHA2, commits: 1, draft: true }));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.body<CheckRunBody>('POST', `${R}/check-runs`).conclusion).toBe('action_required');
  });
});

describe('check-run writes', () => {
  const zoePullRequest = (action: string, labels: string[] = []) =>
    pullRequestPayload(action, { number: 20, user: HUMAN('zoe'), sha: SHA2, ref: 'zoe/docs', labels });
  const zoeFacts = { files: files('docs/a.md'), commits: [commit(SHA2, HUMAN('zoe'))] };

  it('a re-evaluation with an unchanged result makes one GraphQL query and no REST request (the run id is stored)', async () => {
    github.config(ENFORCE).pullRequestFacts(20, zoeFacts).checkRuns(SHA2).createCheckRun(600);
    await deliver('pull_request', zoePullRequest('opened'));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    GitHubMock.cleanup();
    github = new GitHubMock();
    github.config(ENFORCE).pullRequestFacts(20, zoeFacts);
    await deliver('pull_request', zoePullRequest('labeled', ['docs']));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql']);
    expect(github.queries()).toHaveLength(1);
  });

  it('a stored check run deleted on GitHub is created again (PATCH 404, then POST): one run, kept up to date after', async () => {
    const config = 'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam"]\n';
    const facts = (reviews: RestReview[]) => ({ files: files('src/app.ts'), commits: [copilotCommit(SHA2)], reviews });
    const delivered = pullRequestPayload('edited', { number: 23, sha: SHA2, commits: 1 });
    github.config(config).pullRequestFacts(23, facts([])).checkRuns(SHA2).createCheckRun(610);
    await deliver('pull_request', delivered);
    github.verify();
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ conclusion: 'action_required' });

    // sam approves; meanwhile run 610 was deleted on GitHub.
    GitHubMock.cleanup();
    github = new GitHubMock();
    github
      .config(config)
      .pullRequest(delivered.pull_request)
      .pullRequestFacts(23, facts([reviewItem(1, 'sam', 'APPROVED', SHA2)]))
      .updateCheckRun(610, 404)
      .createCheckRun(611);
    const review = examplePayload('pull_request_review', 'submitted');
    review.pull_request.number = 23;
    review.pull_request.head.sha = SHA2;
    await probot.receive({ id: 'd-review-23', name: 'pull_request_review', payload: review } as never);
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `PATCH ${R}/check-runs/610`, `POST ${R}/check-runs`]);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ name: 'ai-review', head_sha: SHA2, conclusion: 'success' });

    // The review is dismissed: the new run (611) is the one updated, without a lookup.
    GitHubMock.cleanup();
    github = new GitHubMock();
    github
      .config(config)
      .pullRequest(delivered.pull_request)
      .pullRequestFacts(23, facts([reviewItem(1, 'sam', 'DISMISSED', SHA2)]))
      .updateCheckRun(611);
    review.action = 'dismissed';
    await probot.receive({ id: 'd-dismiss-23', name: 'pull_request_review', payload: review } as never);
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `PATCH ${R}/check-runs/611`]);
    expect(github.body('PATCH', `${R}/check-runs/611`)).toMatchObject({ conclusion: 'action_required' });
  });
});

describe('other events', () => {
  it('check_run.rerequested re-evaluates the PR and updates the run it finds on GitHub (no stored entry)', async () => {
    const payload = examplePayload('check_run', 'rerequested');
    payload.check_run.name = 'ai-review';
    payload.check_run.head_sha = SHA2;
    payload.check_run.app = { ...payload.check_run.app, id: 123 };
    payload.check_run.pull_requests = [
      { number: 24, id: 1, url: '', head: { ref: 'x', sha: SHA2, repo: {} }, base: { ref: 'main', sha: SHA1, repo: {} } },
    ];
    github
      .pullRequest(pullRequestPayload('opened', { number: 24, user: HUMAN('zoe'), sha: SHA2 }).pull_request)
      .config(ENFORCE)
      .pullRequestFacts(24, { files: files('a.ts'), commits: [commit(SHA2, HUMAN('zoe'))] })
      .checkRuns(SHA2, [
        {
          id: 601,
          name: 'ai-review',
          status: 'completed',
          conclusion: 'failure',
          app: { id: 123 },
          output: { title: 'The review gate could not be evaluated', summary: 'x' },
        },
      ])
      .updateCheckRun(601);
    await deliver('check_run', payload);
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `PATCH ${R}/check-runs/601`]);
    expect(github.body('PATCH', `${R}/check-runs/601`)).toMatchObject({ conclusion: 'success' });
  });

  it('a push to the default branch that changes the config re-evaluates open PRs', async () => {
    const payload = examplePayload('push');
    payload.ref = 'refs/heads/main';
    const pushed: PushCommit = { id: SHA1, added: [], removed: [], modified: ['.github/ai-review.yml'] };
    payload.commits = [pushed];
    payload.head_commit = pushed;
    const pr = pullRequestPayload('opened', { number: 25, user: HUMAN('zoe'), sha: SHA2 }).pull_request;
    github
      .config(ENFORCE)
      .get(`${R}/pulls`, [pr])
      .pullRequest(pr)
      .pullRequestFacts(25, { files: files('a.ts'), commits: [commit(SHA2, HUMAN('zoe'))] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('push', payload);
    github.verify();
    expect(github.routes()).toEqual([`GET ${R}/pulls`, 'POST /graphql', `GET ${R}/commits/${SHA2}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ head_sha: SHA2, conclusion: 'success' });
  });

  it('a push that does not touch the config, or to another branch, calls nothing', async () => {
    const payload = examplePayload('push');
    payload.ref = 'refs/heads/main';
    const pushed: PushCommit = { id: SHA1, added: ['x.ts'], removed: [], modified: [] };
    payload.commits = [pushed];
    payload.head_commit = pushed;
    await deliver('push', payload);
    payload.ref = 'refs/heads/feature';
    pushed.modified = ['.github/ai-review.yml'];
    await deliver('push', payload);
    github.verify();
    expect(github.calls).toEqual([]);
  });

  it('events caused by the app itself are ignored', async () => {
    await deliver('pull_request', pullRequestPayload('labeled', { sender: { login: 'ai-review[bot]', id: 9, type: 'Bot' } }));
    github.verify();
    expect(github.calls).toEqual([]);
  });

  it('a payload without the fields the handler needs is rejected with status 400 and no API call', async () => {
    const logs: string[] = [];
    probot = await createTestProbot({ logs });
    const payload = pullRequestPayload('opened');
    Reflect.deleteProperty(payload.pull_request, 'head');
    await expect(deliver('pull_request', payload, 'delivery-42')).rejects.toMatchObject({
      errors: [expect.objectContaining({ status: 400 })],
    });
    expect(github.calls).toEqual([]);
    const line = logs.map((l) => JSON.parse(l) as { msg?: string }).find((l) => l.msg === 'webhook payload rejected');
    expect(line).toMatchObject({
      delivery_id: 'delivery-42',
      event: 'pull_request',
      reason: expect.stringContaining('pull_request.head') as string,
    });
  });
});
