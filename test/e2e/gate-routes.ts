/**
 * The GitHub answers for one agent PR (acme/widgets#7 touching a workflow) evaluated against an enforced rule: the
 * facts through GraphQL (`/api/graphql`, an in-memory GitHub that validates every query against GitHub's schema),
 * the token, the check run and the reviewer request through REST.
 */
import { InMemoryGitHub } from '../github/graphql/fake-github.js';
import { COPILOT, commit, fakePullRequest, files, pullRequestPayload } from '../github/harness.js';
import type { FakeGitHub } from './fake-github.js';

export const SHA = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
export const R = '/repos/acme/widgets';

/** Every API call the gate makes for that PR, in order: one GraphQL query for every fact, REST to find and write. */
export const GATE_CALLS = [
  'POST /app/installations/4242/access_tokens',
  'POST /api/graphql',
  `GET ${R}/commits/${SHA}/check-runs`,
  `POST ${R}/check-runs`,
  `POST ${R}/pulls/7/requested_reviewers`,
];

/** Registers those answers on `github`; returns the in-memory GitHub that serves the GraphQL part. */
export function routeGateFlow(github: FakeGitHub): InMemoryGitHub {
  const memory = new InMemoryGitHub();
  memory.organizations.acme = {};
  memory.repositories.push({
    owner: 'acme',
    name: 'widgets',
    files: {
      '.github/ai-review.yml':
        'mode: enforce\nrules:\n  - name: ci-review\n    if:\n      paths: [ci]\n    require:\n      reviewers: ["sam"]\n',
    },
    pulls: [
      fakePullRequest(pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1 }).pull_request, {
        files: files('.github/workflows/release.yml'),
        commits: [commit(SHA, COPILOT, 'Pin actions', '198982749+Copilot@users.noreply.github.com')],
      }),
    ],
  });
  github
    .on('POST', '/app/installations/4242/access_tokens', {
      status: 201,
      body: { token: 'ghs_e2e_token_value', expires_at: '2099-01-01T00:00:00Z' },
    })
    .graphql(memory)
    .on('GET', `${R}/commits/${SHA}/check-runs`, { body: { total_count: 0, check_runs: [] } })
    .on('POST', `${R}/check-runs`, { status: 201, body: { id: 901 } })
    .on('POST', `${R}/pulls/7/requested_reviewers`, { status: 201, body: {} });
  return memory;
}
