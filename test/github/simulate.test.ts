/**
 * `ai-review simulate`: a proposed config against PRs through a nock GitHub, with the app's fact loading and core;
 * nothing is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbotOctokit } from 'probot';
import { changedRules, formatSimulation, parseTarget, simulate } from '../../src/cli/simulate.js';
import type { Octokit } from '../../src/github/facts.js';
import { COPILOT, GitHubMock, OWNER, REPO, commit, files, pullRequestPayload, reviewItem } from './harness.js';

const SHA = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const R = `/repos/${OWNER}/${REPO}`;
const CURRENT = 'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam"]\n';
const PROPOSED = 'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam", "zoe"]\n';
const copilotCommit = (sha: string) => commit(sha, COPILOT, 'Change', '198982749+Copilot@users.noreply.github.com');

let github: GitHubMock;
beforeEach(() => {
  github = new GitHubMock();
});
afterEach(() => GitHubMock.cleanup());

const octokit = (): Octokit => new ProbotOctokit({ auth: { token: 'ghp_test' }, throttle: { enabled: false }, retry: { enabled: false } });

function proposedFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ai-review-simulate-')), 'ai-review.yml');
  writeFileSync(file, text);
  return file;
}

describe('ai-review simulate', () => {
  it('prints the current and the proposed conclusion of every open PR and the rules that changed, writing nothing', async () => {
    const facts = { files: files('src/app.ts'), commits: [copilotCommit(SHA)], reviews: [reviewItem(1, 'zoe', 'APPROVED', SHA)] };
    github
      .config(CURRENT)
      .get(`${R}/pulls`, [{ number: 7 }])
      .pullRequest(pullRequestPayload('opened', { sha: SHA, commits: 1 }).pull_request)
      .pullRequestFacts(7, { ...facts, writers: ['zoe'] });
    const results = await simulate({
      octokit: octokit(),
      ref: { owner: OWNER, repo: REPO },
      pullNumbers: 'open',
      proposedFile: proposedFile(PROPOSED),
    });
    expect(results).toEqual([
      {
        number: 7,
        title: expect.any(String) as string,
        current: { conclusion: 'action_required', title: 'Needs 1 approval from @sam' },
        proposed: { conclusion: 'success', title: 'Ready to merge: all review rules hold' },
        changedRules: ['agent-review: not met (enforce) → holds'],
      },
    ]);
    github.verify();
    // Reads only: the list of open PRs, then one facts query per configuration (the second with the first's plan).
    expect(github.routes()).toEqual([`GET ${R}/pulls`, 'POST /graphql', 'POST /graphql']);
    expect(github.queries().map((q) => q.operation)).toEqual(['PullRequestFacts', 'PullRequestFacts']);
    expect([0, 1].map((i) => github.queryText(i).slice(0, 6))).toEqual(['query ', 'query ']);
    expect(formatSimulation(results)).toContain('1 pull request simulated, 1 with another conclusion');
  });

  it('an invalid proposed config shows as a configuration error for every PR', async () => {
    github
      .config(CURRENT)
      .pullRequest(pullRequestPayload('opened', { number: 8, sha: SHA, commits: 1 }).pull_request)
      .pullRequestFacts(8, { files: files('src/app.ts'), commits: [copilotCommit(SHA)] });
    const results = await simulate({
      octokit: octokit(),
      ref: { owner: OWNER, repo: REPO },
      pullNumbers: [8],
      proposedFile: proposedFile('mode: enforce\nrules:\n  - name: x\n    if:\n      paths: [nope]\n'),
    });
    expect(results[0]!.proposed).toMatchObject({ conclusion: 'failure' });
    expect(results[0]!.proposed.title).toMatch(/^Configuration error/);
    expect(results[0]!.current).toEqual({ conclusion: 'action_required', title: 'Needs 1 approval from @sam' });
    github.verify();
    expect(github.routes()).toEqual(['POST /graphql', 'POST /graphql']);
  });

  it('parses targets and refuses anything else', () => {
    expect(parseTarget('acme/widgets#12')).toEqual({ owner: 'acme', repo: 'widgets', pullNumber: 12 });
    expect(parseTarget('acme/widgets')).toEqual({ owner: 'acme', repo: 'widgets', pullNumber: null });
    expect(() => parseTarget('acme/widgets#0')).toThrow('is not owner/name');
    expect(() => parseTarget('../etc/passwd')).toThrow('is not owner/name');
    expect(changedRules(null, null)).toEqual([]);
  });
});
