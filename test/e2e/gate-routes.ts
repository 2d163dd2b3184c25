/** The GitHub API answers for one agent PR (acme/widgets#7 touching a workflow) evaluated against an enforced rule. */
import { COPILOT, commit, files, pullRequestPayload } from '../github/harness.js';
import type { FakeGitHub } from './fake-github.js';

export const SHA = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
export const R = '/repos/acme/widgets';

/** Every API call the gate makes for that PR, in order. */
export const GATE_CALLS = [
  'POST /app/installations/4242/access_tokens',
  `GET ${R}/pulls/7`,
  `GET ${R}/contents/.github/ai-review.yml`,
  `GET ${R}/pulls/7/files`,
  `GET ${R}/pulls/7/commits`,
  `GET ${R}/pulls/7/reviews`,
  `GET ${R}/commits/${SHA}/check-runs`,
  `POST ${R}/check-runs`,
  `GET ${R}/issues/7/timeline`,
  `POST ${R}/pulls/7/requested_reviewers`,
];

/** Registers those answers on `github`. */
export function routeGateFlow(github: FakeGitHub): FakeGitHub {
  return github
    .on('POST', '/app/installations/4242/access_tokens', {
      status: 201,
      body: { token: 'ghs_e2e_token_value', expires_at: '2099-01-01T00:00:00Z' },
    })
    .on('GET', `${R}/contents/.github/ai-review.yml`, {
      body: 'mode: enforce\nrules:\n  - name: ci-review\n    if:\n      paths: [ci]\n    require:\n      reviewers: ["sam"]\n',
      headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
    })
    .on('GET', `${R}/pulls/7`, { body: pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1 }).pull_request })
    .on('GET', `${R}/pulls/7/files`, { body: files('.github/workflows/release.yml') })
    .on('GET', `${R}/pulls/7/commits`, { body: [commit(SHA, COPILOT, 'Pin actions', '198982749+Copilot@users.noreply.github.com')] })
    .on('GET', `${R}/pulls/7/reviews`, { body: [] })
    .on('GET', `${R}/commits/${SHA}/check-runs`, { body: { total_count: 0, check_runs: [] } })
    .on('POST', `${R}/check-runs`, { status: 201, body: { id: 901 } })
    .on('GET', `${R}/issues/7/timeline`, { body: [] })
    .on('POST', `${R}/pulls/7/requested_reviewers`, { status: 201, body: {} });
}
