/**
 * Integration: real webhook payloads through Probot with a nock GitHub, asserting the exact API calls and
 * check-run bodies.
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
} from './harness.js';
import type { Probot } from 'probot';

const SHA1 = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
const SHA2 = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const SHA3 = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const R = `/repos/${OWNER}/${REPO}`;

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

let github: GitHubMock;
let probot: Probot;

beforeEach(async () => {
  github = new GitHubMock();
  probot = await createTestProbot();
});
afterEach(() => GitHubMock.cleanup());

/**
 * Delivers a webhook and runs the jobs it queued. A `pull_request` delivery's job reads the PR's newest state
 * first (`GET /pulls/N`): the mock answers with the delivered PR object.
 */
async function deliver(name: string, payload: Record<string, any>, id = `d-${Math.random()}`) {
  if (name === 'pull_request' && payload.pull_request && payload.sender?.login !== 'ai-review[bot]')
    github.get(`${R}/pulls/${payload.pull_request.number}`, payload.pull_request);
  await probot.receive({ id, name, payload } as never);
}

describe('an agent PR touching a sensitive path', () => {
  it('is blocked, asks the security team once, and turns green when a team member approves', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(7, { files: files('src/auth/token.ts', 'README.md'), commits: [copilotCommit(SHA1), copilotCommit(SHA2)] })
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun(555)
      .get(`${R}/issues/7/timeline`, [])
      .post(`${R}/pulls/7/requested_reviewers`, {});
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2, assignees: [HUMAN('rita', 4242)] }));
    github.verify();
    expect(github.routes()).toEqual([
      `GET ${R}/pulls/7`,
      `GET ${R}/contents/.github/ai-review.yml`,
      `GET ${R}/pulls/7/files`,
      `GET ${R}/pulls/7/commits`,
      `GET ${R}/pulls/7/reviews`,
      'GET /orgs/acme/teams/security/members',
      `GET ${R}/commits/${SHA2}/check-runs`,
      `POST ${R}/check-runs`,
      `GET ${R}/issues/7/timeline`,
      `POST ${R}/pulls/7/requested_reviewers`,
    ]);
    // The config is read from the default branch: no ref.
    expect(github.calls[0]!.path).not.toContain('ref=');
    const created = github.body('POST', `${R}/check-runs`);
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

    // A member of @acme/security approves the head commit: the existing check run is updated to success.
    GitHubMock.cleanup();
    github = new GitHubMock();
    const review = examplePayload('pull_request_review', 'submitted');
    review.pull_request.number = 7;
    review.pull_request.head.sha = SHA2;
    review.pull_request.user = COPILOT;
    review.review = { ...review.review, user: { login: 'sam', id: 77, type: 'User' }, state: 'approved', commit_id: SHA2 };
    review.sender = { login: 'sam', id: 77, type: 'User' };
    github
      .get(`${R}/pulls/7`, {
        ...pullRequestPayload('opened', { sha: SHA2, assignees: [HUMAN('rita', 4242)] }).pull_request,
        requested_teams: [],
      })
      .config(ENFORCE)
      .pullRequestFacts(7, {
        files: files('src/auth/token.ts', 'README.md'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'sam', 'APPROVED', SHA2)],
      })
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .checkRuns(SHA2, [
        {
          id: 555,
          name: 'ai-review',
          status: 'completed',
          conclusion: 'action_required',
          app: { id: 123 },
          output: { title: 'Needs 1 approval from @acme/security', summary: created.output.summary },
        },
      ])
      .updateCheckRun(555);
    await deliver('pull_request_review', review);
    github.verify();
    const updated = github.body('PATCH', `${R}/check-runs/555`);
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
      .pullRequestFacts(7, {
        files: files('src/auth/token.ts'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2), copilotCommit(SHA3, 'Address review')],
        reviews: [reviewItem(1, 'sam', 'APPROVED', SHA2)],
      })
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .checkRuns(SHA3)
      .createCheckRun(556)
      .get(`${R}/issues/7/timeline`, [
        {
          event: 'review_requested',
          actor: { login: 'ai-review[bot]' },
          requested_team: { slug: 'security' },
          created_at: '2026-01-01T09:00:00Z',
        },
      ]);
    await deliver('pull_request', pullRequestPayload('synchronize', { sha: SHA3, commits: 3 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ head_sha: SHA3, conclusion: 'action_required' });
    expect(created.output.summary).toContain('**Approvals that did not count:** @sam (an agent pushed after this approval)');
    // The team was requested before (timeline): not requested again.
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
      .pullRequestFacts(7, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA1), copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'rita', 'APPROVED', SHA2)],
      })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { sha: SHA2 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('action_required');
    expect(created.output.summary).toContain('@rita (asked the agent for this PR)');
    expect(created.output.summary).toContain('1 more approval from @rita or @sam');
  });
});

describe('other verdicts', () => {
  it('a human PR to which no rule applies is green', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('src/auth/token.ts'), commits: [commit(SHA2, HUMAN('zoe'), 'Refactor auth', 'zoe@acme.dev')] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { number: 8, user: HUMAN('zoe'), sha: SHA2, ref: 'zoe/refactor' }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Ready to merge: no review rule applies' } });
    expect(created.output.summary).toContain('**Author:** human');
  });

  it('advisory mode (built-in defaults, no config anywhere) reports neutral and never blocks', async () => {
    github
      .config(null, null)
      .pullRequestFacts(7, { files: files('.github/workflows/ci.yml'), commits: [copilotCommit(SHA2)] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('ready_for_review', { sha: SHA2, commits: 1 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({
      conclusion: 'neutral',
      output: { title: 'Advisory: needs 2 approvals from anyone with write access' },
    });
    expect(created.output.summary).toContain('| ci | 1 | \\.github/workflows/ci\\.yml |');
    expect(created.output.summary).toContain('built-in defaults');
    expect(created.output.summary).toContain('2 more approvals from anyone with write access');
  });

  it('without listed reviewers, an approver counts when GitHub says they have write access', async () => {
    github
      .config(null, null)
      .pullRequestFacts(7, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA2)],
        reviews: [reviewItem(1, 'zed', 'APPROVED', SHA2), reviewItem(2, 'yan', 'APPROVED', SHA2)],
      })
      .get(`${R}/collaborators/zed/permission`, { permission: 'write', role_name: 'write', user: { login: 'zed' } })
      .get(`${R}/collaborators/yan/permission`, { permission: 'read', role_name: 'triage', user: { login: 'yan' } })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('edited', { sha: SHA2, commits: 1 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Ready to merge: all review rules hold' } });
    expect(created.output.summary).toContain('| agent\\-pr\\-review | advisory | ✅ holds | @zed (1/1) | — |');
    expect(created.output.summary).toContain('@yan (no write access for agent\\-pr\\-review)');
  });

  it('an invalid config gives a failure check run naming the key and line', async () => {
    const bad = 'mode: enforce\nrules:\n  - name: r\n    require:\n      count: zero\n';
    github.config(bad, null, 2).checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'failure', output: { title: 'Configuration error in .github/ai-review.yml line 5' } });
    expect(created.output.summary).toContain(
      '| \\.github/ai\\-review\\.yml | 5 | rules\\[0\\]\\.require\\.count | Invalid input\\: expected number, received string |',
    );
  });

  it('invalid YAML gives a failure check run with the parser line', async () => {
    github.config('mode: enforce\nrules: [\n').checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('failure');
    expect(created.output.summary).toContain('invalid YAML');
  });

  it('a PR that edits .github/ai-review.yml to drop its own rule is judged by the default branch config', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(7, { files: files('.github/ai-review.yml', 'src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun()
      .get(`${R}/issues/7/timeline`, [])
      .post(`${R}/pulls/7/requested_reviewers`, {});
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2, commits: 1 }));
    github.verify();
    // The config request carries no ref: GitHub serves the default branch, never the PR head.
    const configCall = github.calls.find((c) => c.path.includes('contents'))!;
    expect(configCall.path).not.toMatch(/ref=/);
    const created = github.body('POST', `${R}/check-runs`);
    expect(created.conclusion).toBe('action_required');
    expect(created.output.summary).toContain('| agent\\-config | 1 | \\.github/ai\\-review\\.yml |');
  });

  it('a 3001-file PR fails closed without listing its files', async () => {
    github.config(ENFORCE).checkRuns(SHA2).createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2, changedFiles: 3001 }));
    github.verify();
    expect(github.routes()).toEqual([
      `GET ${R}/pulls/7`,
      `GET ${R}/contents/.github/ai-review.yml`,
      `GET ${R}/commits/${SHA2}/check-runs`,
      `POST ${R}/check-runs`,
    ]);
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'failure', output: { title: 'The review gate could not be evaluated' } });
    expect(created.output.summary).toContain('This pull request changes 3001 files. GitHub lists at most 3000 files');
  });

  it('a GitHub API error that does not go away within the retry window leaves a failure check run that says how to re-run', async () => {
    probot = await createTestProbot({ retryWindowSeconds: 0 });
    github
      .config(ENFORCE)
      .get(`${R}/pulls/7/files`, { message: 'Server Error' }, 502)
      .get(`${R}/pulls/7/commits`, [])
      .get(`${R}/pulls/7/reviews`, [])
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2 }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
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
      .pullRequestFacts(7, { files: files('src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .get(`${R}/issues/7/comments`, [])
      .get('/orgs/acme/teams/platform/members', [{ login: 'pat', id: 88, type: 'User' }])
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .get(`${R}/issues/7/timeline`, [
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
      ])
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('labeled', { sha: SHA2, commits: 1, labels: ['ai-review: override'] }));
    github.verify();
    const created = github.body('POST', `${R}/check-runs`);
    expect(created).toMatchObject({ conclusion: 'success', output: { title: 'Overridden by @pat' } });
    expect(created.output.summary).toContain('**Override label ignored:** applied by @mallory, who is not allowed to override');
  });

  it('a draft agent PR is evaluated but nobody is asked for review', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(7, { files: files('src/auth/token.ts'), commits: [copilotCommit(SHA2)] })
      .get('/orgs/acme/teams/security/members', SECURITY_TEAM)
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('pull_request', pullRequestPayload('opened', { sha: SHA2, commits: 1, draft: true }));
    github.verify();
    expect(github.body('POST', `${R}/check-runs`).conclusion).toBe('action_required');
    expect(github.routes().some((r) => r.includes('timeline') || r.includes('requested_reviewers'))).toBe(false);
  });
});

describe('check-run writes', () => {
  it('an unchanged result writes nothing', async () => {
    // First evaluation, to learn the exact output.
    github
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('docs/a.md'), commits: [commit(SHA2, HUMAN('zoe'))] })
      .checkRuns(SHA2)
      .createCheckRun(600);
    await deliver('pull_request', pullRequestPayload('opened', { number: 8, user: HUMAN('zoe'), sha: SHA2, ref: 'zoe/docs' }));
    const first = github.body('POST', `${R}/check-runs`);
    GitHubMock.cleanup();
    github = new GitHubMock();
    github
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('docs/a.md'), commits: [commit(SHA2, HUMAN('zoe'))] })
      .checkRuns(SHA2, [
        { id: 600, name: 'ai-review', status: 'completed', conclusion: first.conclusion, app: { id: 123 }, output: first.output },
      ]);
    await deliver(
      'pull_request',
      pullRequestPayload('labeled', { number: 8, user: HUMAN('zoe'), sha: SHA2, ref: 'zoe/docs', labels: ['docs'] }),
    );
    github.verify();
    expect(github.routes().filter((r) => r.startsWith('POST') || r.startsWith('PATCH'))).toEqual([]);
  });
});

describe('other events', () => {
  it('check_run.rerequested re-evaluates the PR and updates the run', async () => {
    const payload = examplePayload('check_run', 'rerequested');
    payload.check_run.name = 'ai-review';
    payload.check_run.head_sha = SHA2;
    payload.check_run.app = { ...payload.check_run.app, id: 123 };
    payload.check_run.pull_requests = [
      { number: 8, id: 1, url: '', head: { ref: 'x', sha: SHA2, repo: {} }, base: { ref: 'main', sha: SHA1, repo: {} } },
    ];
    github
      .get(`${R}/pulls/8`, pullRequestPayload('opened', { number: 8, user: HUMAN('zoe'), sha: SHA2 }).pull_request)
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('a.ts'), commits: [commit(SHA2, HUMAN('zoe'))] })
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
    expect(github.body('PATCH', `${R}/check-runs/601`)).toMatchObject({ conclusion: 'success' });
  });

  it('a push to the default branch that changes the config re-evaluates open PRs', async () => {
    const payload = examplePayload('push');
    payload.ref = 'refs/heads/main';
    payload.commits = [{ id: SHA1, added: [], removed: [], modified: ['.github/ai-review.yml'] }];
    payload.head_commit = payload.commits[0];
    const pr = pullRequestPayload('opened', { number: 8, user: HUMAN('zoe'), sha: SHA2 }).pull_request;
    github
      .config(ENFORCE)
      .get(`${R}/pulls`, [pr])
      .get(`${R}/pulls/8`, pr)
      .pullRequestFacts(8, { files: files('a.ts'), commits: [commit(SHA2, HUMAN('zoe'))] })
      .checkRuns(SHA2)
      .createCheckRun();
    await deliver('push', payload);
    github.verify();
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ head_sha: SHA2, conclusion: 'success' });
  });

  it('a push that does not touch the config, or to another branch, calls nothing', async () => {
    const payload = examplePayload('push');
    payload.ref = 'refs/heads/main';
    payload.commits = [{ id: SHA1, added: ['x.ts'], removed: [], modified: [] }];
    payload.head_commit = payload.commits[0];
    await deliver('push', payload);
    payload.ref = 'refs/heads/feature';
    payload.commits[0].modified = ['.github/ai-review.yml'];
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
    delete payload.pull_request.head;
    await expect(deliver('pull_request', payload, 'delivery-42')).rejects.toMatchObject({
      errors: [expect.objectContaining({ status: 400 })],
    });
    expect(github.calls).toEqual([]);
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'webhook payload rejected');
    expect(line).toMatchObject({ delivery_id: 'delivery-42', event: 'pull_request', reason: expect.stringContaining('pull_request.head') });
  });
});
