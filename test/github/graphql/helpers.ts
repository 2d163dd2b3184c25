/**
 * Fixtures of the loader tests, and `evaluateThroughLoader`: the evaluation flow a caller builds on the loader (load with
 * a prior plan, resolve the config from the returned text, classify, plan exactly, complete, evaluate the gate).
 */
import { Octokit } from '@octokit/rest';
import type { EffectiveConfig } from '../../../src/config/load.js';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { planFacts, type FactPlan } from '../../../src/gate/plan.js';
import type { GateResult } from '../../../src/gate/types.js';
import { configFromFiles } from '../../../src/github/config.js';
import { gateInputs } from '../../../src/github/evaluate-pull-request.js';

export { gateInputs };
import { completePullRequestFacts, loadPullRequestFacts, type PullRequestFacts } from '../../../src/github/graphql/index.js';
import { FakeGitHub, bot, user, type FakeCommit, type FakePullRequest, type FakeRepository } from './fake-github.js';

export const OWNER = 'acme';
export const REPO = 'widgets';
export const REF = { owner: OWNER, repo: REPO };
export const SHA1 = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
export const SHA2 = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';

/** The Copilot coding agent as GraphQL returns it (a Bot; REST login `Copilot`, id 198982749). */
export const COPILOT = bot('copilot-swe-agent', 198982749);
export const ALICE = user('alice', 1001);
export const SAM = user('sam', 77);
export const RITA = user('rita', 4242);

export const ENFORCE = `mode: enforce
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

export const humanCommit = (oid: string, who = ALICE): FakeCommit => ({
  oid,
  message: 'Fix the login form',
  author: { name: who.login, email: `${who.login}@acme.dev`, user: { login: who.login, databaseId: who.databaseId } },
});

export const copilotCommit = (oid: string): FakeCommit => ({
  oid,
  message: 'Fix token refresh\n\nCo-authored-by: rita <4242+rita@users.noreply.github.com>',
  author: { name: 'copilot-swe-agent[bot]', email: '198982749+Copilot@users.noreply.github.com', user: null },
});

/** PR #7 by alice at SHA2 with one commit and no files, with `overrides`. */
export function humanPullRequest(overrides: Partial<FakePullRequest> = {}): FakePullRequest {
  return { number: 7, author: ALICE, headRefOid: SHA2, files: [], commits: [humanCommit(SHA2)], ...overrides };
}

/** A new fake GitHub holding acme/widgets (with `files` on its default branch) and the @acme organization. */
export function fakeGitHub(
  files: Record<string, string> = {},
  teams: Record<string, string[]> = {},
  options: ConstructorParameters<typeof FakeGitHub>[0] = {},
): { github: FakeGitHub; repo: FakeRepository } {
  const github = new FakeGitHub(options);
  const repo: FakeRepository = { owner: OWNER, name: REPO, files, pulls: [] };
  github.repositories.push(repo);
  github.organizations.acme = teams;
  return { github, repo };
}

const quiet = () => undefined;
/** An Octokit like the backfill's (@octokit/rest, no retries or throttling); its request log is silenced. */
export const restOctokit = () => new Octokit({ auth: 'ghs_test', log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });

/** The effective config from the loaded files, as the app reads it (`configFromFiles`); throws when invalid. */
export function configOf(facts: PullRequestFacts): EffectiveConfig {
  const state = configFromFiles(facts.config);
  if (!state) throw new Error('the config has _extends: the app reads it through Probot');
  if (!state.ok) throw new Error(`invalid config: ${JSON.stringify(state.errors)}`);
  return state.config;
}

/** One evaluation through the loader: returns the gate result, the facts, the exact plan and the total requests. */
export async function evaluateThroughLoader(
  octokit: Octokit,
  pullNumber: number,
  prior?: FactPlan,
): Promise<{
  result: GateResult | null;
  facts: PullRequestFacts;
  plan: FactPlan;
  graphqlQueries: number;
  restRequests: number;
  cost: number;
}> {
  const loaded = await loadPullRequestFacts(octokit, REF, pullNumber, prior ? { plan: prior } : {});
  if (loaded.kind !== 'pull-request') throw new Error('not found');
  const config = configOf(loaded);
  let plan: FactPlan = planFacts(config, {});
  const facts = loaded.cannotEvaluate
    ? loaded
    : await completePullRequestFacts(octokit, REF, pullNumber, loaded, (f) => (plan = gateInputs(f, config).plan));
  const total = {
    graphqlQueries: loaded.usage.graphqlQueries + (facts === loaded ? 0 : facts.usage.graphqlQueries),
    restRequests: loaded.usage.restRequests + (facts === loaded ? 0 : facts.usage.restRequests),
    cost: loaded.usage.cost + (facts === loaded ? 0 : facts.usage.cost),
  };
  const result = facts.cannotEvaluate ? null : evaluateGate(config, gateInputs(facts, config).gateFacts);
  return { result, facts, plan, ...total };
}
