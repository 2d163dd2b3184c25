/**
 * Integration: the issue-9 gate features through the app with real payload shapes and a nock GitHub: merge
 * groups, CODEOWNERS rules, and `/ai-review override` comments. Facts come from the GraphQL fake (harness.ts); each
 * test uses its own PR number, since the app remembers each PR's last fact plan.
 */
import type { Probot } from 'probot';
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
  type CheckRunBody,
  type MergeGroupEventPayload,
  type PullRequestEventPayload,
  pullRequestPayload,
  reviewItem,
} from './harness.js';

const SHA = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const GROUP_SHA = 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0';
const BASE_SHA = '929f8209d40f77f4abc622a499c93a83babdbe64';
const R = `/repos/${OWNER}/${REPO}`;
const INITIAL_TIMELINE = ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT'];
const copilotCommit = (sha: string) =>
  commit(sha, COPILOT, 'Change\n\nCo-authored-by: rita <4242+rita@users.noreply.github.com>', '198982749+Copilot@users.noreply.github.com');

let github: GitHubMock;
let probot: Probot;
beforeEach(async () => {
  github = new GitHubMock();
  probot = await createTestProbot();
});
afterEach(() => GitHubMock.cleanup());

async function deliver(name: string, payload: Record<string, unknown>) {
  await probot.receive({ id: `d-${Math.random()}`, name, payload } as never);
}

const ENFORCE = 'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam"]\n';

function mergeGroupPayload(pullNumber: number): MergeGroupEventPayload {
  const payload = examplePayload('merge_group', 'checks_requested');
  payload.merge_group.head_sha = GROUP_SHA;
  payload.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-${pullNumber}-${BASE_SHA}`;
  return payload;
}

describe('merge queue', () => {
  it('a queued PR whose gate holds gets success on the merge group head SHA', async () => {
    github
      .pullRequest(pullRequestPayload('opened', { sha: SHA, commits: 1 }).pull_request)
      .config(ENFORCE)
      .pullRequestFacts(7, { files: files('src/app.ts'), commits: [copilotCommit(SHA)], reviews: [reviewItem(1, 'sam', 'APPROVED', SHA)] })
      .checkRuns(GROUP_SHA)
      .createCheckRun(700);
    await deliver('merge_group', mergeGroupPayload(7));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${GROUP_SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queries()).toEqual([
      { operation: 'PullRequestFacts', variables: { owner: OWNER, name: REPO, number: 7, timelineTypes: INITIAL_TIMELINE } },
    ]);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({
      name: 'ai-review',
      head_sha: GROUP_SHA,
      status: 'completed',
      conclusion: 'success',
    });
  });

  it('a queued PR whose gate does not hold fails the merge group, naming the PR and what is missing', async () => {
    github
      .pullRequest(pullRequestPayload('opened', { number: 8, sha: SHA, commits: 1 }).pull_request)
      .config(ENFORCE)
      .pullRequestFacts(8, { files: files('src/app.ts'), commits: [copilotCommit(SHA)] })
      .checkRuns(GROUP_SHA)
      .createCheckRun(701);
    await deliver('merge_group', mergeGroupPayload(8));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${GROUP_SHA}/check-runs`, `POST ${R}/check-runs`]);
    const body = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(body).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'failure' });
    expect(body.output.summary).toContain('pull request #8');
    expect(body.output.summary).toContain('@sam');
  });

  it('a merge group whose head ref names no PR fails closed without reading any PR', async () => {
    github.checkRuns(GROUP_SHA).createCheckRun(702);
    const payload = mergeGroupPayload(7);
    payload.merge_group.head_ref = 'refs/heads/some-branch';
    await deliver('merge_group', payload);
    github.verify();
    expect(github.routes()).toEqual([`GET ${R}/commits/${GROUP_SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({
      conclusion: 'failure',
      output: { title: 'The queued pull request could not be identified' },
    });
  });

  it('a merge group naming a PR GitHub does not know fails closed after one query', async () => {
    github.config(ENFORCE).checkRuns(GROUP_SHA).createCheckRun(703);
    await deliver('merge_group', mergeGroupPayload(404));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${GROUP_SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'failure' });
  });

  it('merge_group.destroyed needs no work', async () => {
    const payload = mergeGroupPayload(7);
    payload.action = 'destroyed';
    await deliver('merge_group', payload);
    expect(github.calls).toEqual([]);
  });
});

describe('CODEOWNERS', () => {
  const CONFIG = 'mode: enforce\nrules:\n  - name: owners\n    require:\n      codeowners: true\n';
  const CODEOWNERS = '# owners\n* @acme/devs\n/src/auth/ @sam\n';

  it('a rule with codeowners holds when an owner of each covered file approved, reading CODEOWNERS in GitHub’s order', async () => {
    github
      .config(CONFIG)
      .file('CODEOWNERS', CODEOWNERS)
      .file('docs/CODEOWNERS', '* @zoe\n')
      .pullRequestFacts(9, {
        files: files('src/auth/token.ts'),
        commits: [copilotCommit(SHA)],
        reviews: [reviewItem(1, 'sam', 'APPROVED', SHA)],
        writers: ['sam'],
      })
      .checkRuns(SHA)
      .createCheckRun();
    await deliver('pull_request', withPull(pullRequestPayload('edited', { number: 9, sha: SHA, commits: 1 })));
    github.verify();
    // GitHub's three locations are read in the facts query; the first that exists (CODEOWNERS at the root) is used.
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queryText(0)).toMatch(/codeowners0: object\(expression: "HEAD:\.github\/CODEOWNERS"\)/);
    expect(github.body('POST', `${R}/check-runs`)).toMatchObject({ conclusion: 'success' });
  });

  it('does not hold when no owner of a covered file approved (the last matching line wins), and names the missing owner', async () => {
    github
      .config(CONFIG)
      .file('.github/CODEOWNERS', CODEOWNERS)
      .pullRequestFacts(10, {
        files: files('src/auth/token.ts'),
        commits: [copilotCommit(SHA)],
        reviews: [reviewItem(1, 'zoe', 'APPROVED', SHA)],
        writers: ['zoe'],
      })
      .checkRuns(SHA)
      .createCheckRun();
    await deliver('pull_request', withPull(pullRequestPayload('edited', { number: 10, sha: SHA, commits: 1 })));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA}/check-runs`, `POST ${R}/check-runs`]);
    const body = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(body.conclusion).toBe('action_required');
    expect(body.output.title).toContain('@sam');
  });
});

describe('override comments', () => {
  const CONFIG = `${ENFORCE}overrides:\n  allowed: ["pat"]\n`;
  const commentPayload = (number: number, login: string, body: string) => {
    const payload = examplePayload('issue_comment', 'created');
    payload.issue.number = number;
    payload.issue.pull_request = { url: `https://api.github.com${R}/pulls/${number}` };
    payload.comment = {
      ...payload.comment,
      id: 99,
      body,
      user: HUMAN(login, 88),
      created_at: '2026-01-02T10:00:00Z',
      updated_at: '2026-01-02T10:00:00Z',
    };
    payload.sender = HUMAN(login, 88);
    return payload;
  };

  it('an allowed person’s `/ai-review override <reason>` turns the gate green for the head SHA and shows the reason', async () => {
    github
      .pullRequest(pullRequestPayload('opened', { number: 11, sha: SHA, commits: 1 }).pull_request)
      .config(CONFIG)
      .pullRequestFacts(11, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA)],
        comments: [
          { id: 98, user: HUMAN('zoe', 5), body: 'LGTM', created_at: '2026-01-02T09:00:00Z', updated_at: '2026-01-02T09:00:00Z' },
          {
            id: 99,
            user: HUMAN('pat', 88),
            body: '/ai-review override hotfix for the outage',
            created_at: '2026-01-02T10:00:00Z',
            updated_at: '2026-01-02T10:00:00Z',
          },
        ],
      })
      .checkRuns(SHA)
      .createCheckRun();
    await deliver('issue_comment', commentPayload(11, 'pat', '/ai-review override hotfix for the outage'));
    github.verify();
    // Comments are not in the initial plan: the second query reads them (and nothing else).
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql', `GET ${R}/commits/${SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queries()[1]).toEqual({
      operation: 'PullRequestFactsMissing',
      variables: { owner: OWNER, name: REPO, number: 11, timelineTypes: ['ISSUE_COMMENT'] },
    });
    const body = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(body).toMatchObject({ conclusion: 'success', output: { title: 'Overridden by @pat' } });
    expect(body.output.summary).toContain('hotfix for the outage');
  });

  it('a command from someone not allowed changes nothing and is named in the summary', async () => {
    github
      .pullRequest(pullRequestPayload('opened', { number: 12, sha: SHA, commits: 1 }).pull_request)
      .config(CONFIG)
      .pullRequestFacts(12, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA)],
        comments: [
          {
            id: 99,
            user: HUMAN('mallory', 66),
            body: '/ai-review override trust me',
            created_at: '2026-01-02T10:00:00Z',
            updated_at: '2026-01-02T10:00:00Z',
          },
        ],
      })
      .checkRuns(SHA)
      .createCheckRun();
    await deliver('issue_comment', commentPayload(12, 'mallory', '/ai-review override trust me'));
    github.verify();
    const body = github.body<CheckRunBody>('POST', `${R}/check-runs`);
    expect(body.conclusion).toBe('action_required');
    expect(body.output.summary).toContain('@mallory');
  });

  it('an ordinary comment queues no work', async () => {
    await deliver('issue_comment', commentPayload(13, 'zoe', 'Looks good to me'));
    expect(github.calls).toEqual([]);
  });
});

/** The PR job reads the PR through GraphQL: the in-memory GitHub holds the delivered PR. */
function withPull(payload: PullRequestEventPayload): PullRequestEventPayload {
  github.pullRequest(payload.pull_request);
  return payload;
}

describe('the check run on a new head SHA, found by the facts query (no REST lookup)', () => {
  const run = (id: number, appId: number, title: string) => ({
    id,
    appId,
    name: 'ai-review',
    status: 'COMPLETED' as const,
    conclusion: 'SUCCESS',
    title,
    summary: title,
  });
  // `edited`: an evaluation that requests no reviewers (`opened` would).
  const edited = (number: number) => withPull(pullRequestPayload('edited', { number, sha: SHA, commits: 1 }));

  it('no run of this app on the head: the query says so and the run is created with one write, without a read', async () => {
    const app = await createTestProbot({ appId: 123 });
    github
      .config(ENFORCE)
      .pullRequestFacts(30, { files: files('src/app.ts'), commits: [copilotCommit(SHA)], headCheckRuns: [run(900, 999, 'another app')] })
      .createCheckRun();
    await app.receive({ id: 'd-30', name: 'pull_request', payload: edited(30) } as never);
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `POST ${R}/check-runs`]);
    expect(github.queryText(0)).toContain(
      'headCheckRun: commits(last: 1) { nodes { commit { oid checkSuites(first: 1, filterBy: { appId: 123 }) { nodes { checkRuns(first: 1, filterBy: { checkName: "ai-review", checkType: LATEST })',
    );
    expect(github.body<CheckRunBody>('POST', `${R}/check-runs`)).toMatchObject({ head_sha: SHA, conclusion: 'action_required' });
  });

  it("a wiped store: the app's newest run on the head is updated, without a read; another app's run and an older duplicate are left alone", async () => {
    const app = await createTestProbot({ appId: 123 });
    github
      .config(ENFORCE)
      .pullRequestFacts(31, {
        files: files('src/app.ts'),
        commits: [copilotCommit(SHA)],
        headCheckRuns: [run(650, 123, 'older'), run(700, 123, 'stale'), run(900, 999, 'another app')],
      })
      .updateCheckRun(700);
    await app.receive({ id: 'd-31', name: 'pull_request', payload: edited(31) } as never);
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `PATCH ${R}/check-runs/700`]);
    expect(github.body<CheckRunBody>('PATCH', `${R}/check-runs/700`)).toMatchObject({ status: 'completed', conclusion: 'action_required' });
  });

  it('without the app id the query does not ask, and the first write on a head looks the run up through REST as before', async () => {
    github
      .config(ENFORCE)
      .pullRequestFacts(32, { files: files('src/app.ts'), commits: [copilotCommit(SHA)], headCheckRuns: [] })
      .checkRuns(SHA)
      .createCheckRun();
    await deliver('pull_request', edited(32));
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', `GET ${R}/commits/${SHA}/check-runs`, `POST ${R}/check-runs`]);
    expect(github.queryText(0)).not.toContain('checkSuites');
  });
});
