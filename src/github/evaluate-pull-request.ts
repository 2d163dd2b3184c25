/**
 * One gate evaluation for one pull request: load its facts with the GraphQL fact loader (src/github/graphql: one
 * query, plus pages and a second query only for what the gate's plan did not foresee), call the pure core
 * (authorship, paths, gate, summary), write the check run if it changed, request reviewers, record metrics. Fails
 * closed: an evaluation that cannot be completed leaves a `failure` check run that says how to re-run it.
 */
import type { Logger } from 'pino';
import type { TimelineEventInput } from '../authorship/types.js';
import { classifyPullRequest, identifyAccount } from '../authorship/index.js';
import type { EffectiveConfig } from '../config/load.js';
import { gateCheckRun } from '../gate/check.js';
import { planFacts, type FactPlan } from '../gate/plan.js';
import { renderCannotEvaluateCheckRun, renderConfigErrorCheckRun, type CheckRunContent } from '../gate/summary.js';
import type { GateFacts, GateResult } from '../gate/types.js';
import type { MetricsSink } from '../metrics/sink.js';
import { classifyChangedFiles } from '../paths/match.js';
import { writeCheckRun, type CheckRunStore, type CheckRunWrite } from './check-run.js';
import { configFromFiles, loadConfigState, type ConfigState } from './config.js';
import { authorshipInput, labelEvents, labelNames, type Octokit, type PullRequestData, type RepoRef } from './facts.js';
import {
  addUsage,
  completePullRequestFacts,
  emptyUsage,
  loadPullRequestFacts,
  type ApiUsage,
  type ExistingCheckRun,
  type PullRequestFacts,
} from './graphql/index.js';
import { configContext } from './config-context.js';
import { transientFailure } from './retry.js';
import { hasCandidates, reviewersToRequest } from './reviewers.js';

/** What an evaluation needs from its surroundings. */
export interface EvaluationContext {
  octokit: Octokit;
  log: Logger;
  ref: RepoRef;
  deliveryId: string;
  /** This app's id, to find its own check runs. */
  appId?: number;
  metrics: MetricsSink | null;
  /** Whether this evaluation may ask for reviews (opening, reopening, ready for review, new commits). */
  mayRequestReviewers: boolean;
  /** Where the check run's id and output hash are kept per head SHA (shared by replicas), so no read precedes a write. */
  checkRuns?: CheckRunStore;
  /** Pushes to the head branch recorded from `opened`/`synchronize` deliveries (who pushed what), oldest first. */
  pushes?: Array<{ headSha: string; pusherLogin: string; automated: boolean; at: string }>;
  /** API usage of the evaluation, for Prometheus (`ai_review_github_requests_total`, GraphQL cost, quota left). */
  onUsage?: (usage: ApiUsage) => void;
}

/** The outcome of one evaluation, for logs and tests. */
export interface EvaluationOutcome {
  conclusion: CheckRunContent['conclusion'];
  checkRun: CheckRunWrite;
  requested: { reviewers: string[]; team_reviewers: string[] } | null;
}

/** The facts and results of one completed evaluation. */
export interface Evaluated {
  result: GateResult;
  checkRun: CheckRunContent;
  verdict: GateFacts['authorship'];
  touched: GateFacts['touchedGroups'];
  facts: GateFacts;
  timeline: TimelineEventInput[];
  commitInfo: Map<string, { authorLogin: string | null; committedAt: string | null }>;
  /** The exact plan these facts satisfied: the next evaluation of the PR starts its first query with it. */
  plan: FactPlan;
}

/** What loading and evaluating a PR gave, without writing anything. */
export type LoadedEvaluation =
  | { kind: 'not-found'; usage: ApiUsage }
  | { kind: 'closed'; pr: PullRequestData; usage: ApiUsage }
  | {
      kind: 'open';
      pr: PullRequestData;
      configState: ConfigState;
      content: CheckRunContent;
      evaluated: Evaluated | null;
      usage: ApiUsage;
      /** This app's check run on the head SHA as the facts query found it (null: none; undefined: not read). */
      headCheckRun?: ExistingCheckRun | null;
    };

/** The last exact plan per PR in this process (a miss costs at most one more query), bounded. */
const PLAN_CACHE_LIMIT = 10_000;
const planCache = new Map<string, FactPlan>();

function rememberPlan(key: string, plan: FactPlan): void {
  planCache.delete(key);
  planCache.set(key, plan);
  if (planCache.size > PLAN_CACHE_LIMIT) planCache.delete(planCache.keys().next().value!);
}

class CannotEvaluate extends Error {}

function describeApiError(error: unknown): string {
  const e = error as { status?: number; request?: { method?: string; url?: string }; message?: string };
  if (e.status !== undefined) {
    const route = e.request?.url ? ` on ${e.request.method ?? 'GET'} ${new URL(e.request.url, 'https://api.github.com').pathname}` : '';
    return `GitHub answered HTTP ${e.status}${route} while the gate gathered the pull request's facts.`;
  }
  return "An unexpected error occurred while the gate gathered the pull request's facts.";
}

/**
 * The gate's inputs from loaded facts under `config` (pure): the authorship verdict, touched groups, the gate
 * facts, and the exact plan of what the evaluation needs (src/gate/plan.ts).
 */
export function gateInputs(
  facts: PullRequestFacts,
  config: EffectiveConfig,
  mayRequestReviewers = true,
  pushes: EvaluationContext['pushes'] = undefined,
) {
  const pr = facts.pullRequest;
  if (!pr.user) throw new CannotEvaluate('The pull request has no author.');
  const labels = labelNames(pr);
  const verdict = classifyPullRequest(authorshipInput(pr, facts.commits), config.authorship);
  const touched = classifyChangedFiles(facts.files, config.compiledPathGroups);
  const plan = planFacts(config, {
    labels,
    authorship: verdict,
    touchedGroups: touched,
    changedFiles: facts.files,
    mayRequestReviewers,
    ...(facts.codeowners !== undefined ? { codeowners: facts.codeowners } : {}),
    ...(facts.comments !== undefined ? { comments: facts.comments } : {}),
  });
  const gateFacts: GateFacts = {
    pullRequest: { number: pr.number, authorLogin: pr.user.login, draft: pr.draft ?? false, headSha: pr.head.sha, labels },
    authorship: verdict,
    touchedGroups: touched,
    commitShas: facts.commits.map((c) => c.sha ?? ''),
    reviews: facts.reviews.map((r) => ({
      ...r,
      automated:
        r.userType === 'Bot' ||
        identifyAccount({ login: r.login, id: r.userId ?? null, type: r.userType ?? null }, config.authorship) !== null,
    })),
    teamMembers: facts.teamMembers,
    writeAccess: facts.writeAccess,
    overrideLabelEvents: labelEvents(facts.timeline, config.file.overrides.label),
    changedFiles: facts.files,
    commits: facts.commits.map((c) => ({
      sha: c.sha ?? '',
      authorLogin: c.author?.login ?? null,
      committerLogin: c.committer?.login ?? null,
      committedAt: c.commit?.committer?.date ?? null,
    })),
    ...(facts.codeowners !== undefined ? { codeowners: facts.codeowners } : {}),
    ...(facts.comments !== undefined ? { comments: facts.comments } : {}),
    ...(pushes
      ? {
          pushes: pushes.map((p) => ({
            ...p,
            // A coding agent pushing under its own account counts as automated even when GitHub calls it a User.
            automated: p.automated || identifyAccount({ login: p.pusherLogin, id: null, type: null }, config.authorship) !== null,
          })),
        }
      : {}),
  };
  return { plan, gateFacts, verdict, touched };
}

/**
 * Loads a PR's facts and evaluates the gate, writing nothing (the app's jobs, merge groups, `ai-review simulate`).
 * The configuration comes from the same query (the default branch's file, or the organization's `.github`); a file
 * with `_extends` is read through Probot's config loader instead. `proposedConfig` replaces it (`simulate`). An
 * invalid config, an unevaluable PR (too large, no author) or a GitHub error that retrying cannot fix gives
 * `failure` content; transient GitHub errors are thrown (see retry.ts).
 */
export async function loadAndEvaluate(
  ctx: Pick<EvaluationContext, 'octokit' | 'ref' | 'log'> & { appId?: number },
  pullNumber: number,
  options: { proposedConfig?: ConfigState; mayRequestReviewers?: boolean; pushes?: EvaluationContext['pushes'] } = {},
): Promise<LoadedEvaluation> {
  const key = `${ctx.ref.owner}/${ctx.ref.repo}#${pullNumber}`.toLowerCase();
  const prior = planCache.get(key);
  const loaded = await loadPullRequestFacts(ctx.octokit, ctx.ref, pullNumber, {
    ...(prior ? { plan: prior } : {}),
    ...(ctx.appId ? { appId: ctx.appId } : {}),
  });
  if (loaded.kind === 'not-found') return loaded;
  const pr = loaded.pullRequest;
  if (pr.state !== 'open') return { kind: 'closed', pr, usage: loaded.usage };
  const configState =
    options.proposedConfig ?? configFromFiles(loaded.config) ?? (await loadConfigState(configContext(ctx.octokit, ctx.ref, ctx.log)));
  const open = (content: CheckRunContent, evaluated: Evaluated | null, usage: ApiUsage): LoadedEvaluation => ({
    kind: 'open',
    pr,
    configState,
    content,
    evaluated,
    usage,
    ...(loaded.headCheckRun !== undefined ? { headCheckRun: loaded.headCheckRun } : {}),
  });
  if (!configState.ok) return open(renderConfigErrorCheckRun(configState.errors), null, loaded.usage);
  const config = configState.config;
  let usage = loaded.usage;
  try {
    if (loaded.cannotEvaluate) throw new CannotEvaluate(loaded.cannotEvaluate.message);
    const mayRequest = options.mayRequestReviewers ?? false;
    const facts = await completePullRequestFacts(ctx.octokit, ctx.ref, pullNumber, loaded, (f) => gateInputs(f, config, mayRequest).plan);
    usage = addUsage(loaded.usage, facts.usage === loaded.usage ? emptyUsage() : facts.usage);
    if (facts.cannotEvaluate) throw new CannotEvaluate(facts.cannotEvaluate.message);
    const inputs = gateInputs(facts, config, mayRequest, options.pushes);
    rememberPlan(key, inputs.plan);
    const { result, checkRun } = gateCheckRun(config, inputs.gateFacts);
    const commitInfo = new Map(
      facts.commits.map(
        (c) => [c.sha ?? '', { authorLogin: c.author?.login ?? null, committedAt: c.commit?.committer?.date ?? null }] as const,
      ),
    );
    return open(
      checkRun,
      {
        result,
        checkRun,
        verdict: inputs.verdict,
        touched: inputs.touched,
        facts: inputs.gateFacts,
        timeline: facts.timeline,
        commitInfo,
        plan: inputs.plan,
      },
      usage,
    );
  } catch (error) {
    // Transient GitHub failures go back to the job, which retries them; anything else fails closed here.
    if (transientFailure(error, new Date(), 1)) throw error;
    if (error instanceof CannotEvaluate) {
      ctx.log.warn({ reason: error.message }, 'pull request cannot be evaluated safely');
      return open(renderCannotEvaluateCheckRun(error.message), null, usage);
    }
    ctx.log.error({ err: { message: (error as Error).message, status: (error as { status?: number }).status } }, 'gate evaluation failed');
    return open(renderCannotEvaluateCheckRun(describeApiError(error)), null, usage);
  }
}

/**
 * Loads and evaluates PR `pullNumber` and writes the check run on its head SHA (then requests reviewers and records
 * metrics). Output: the outcome, `closed` for a PR that is not open (nothing written), or `not-found`. For GitHub
 * errors that retrying cannot fix it writes a `failure` check run; transient ones (rate limits, 5xx, network; see
 * retry.ts) are thrown for the job to retry, and so is a failed check-run write.
 */
export async function evaluatePullRequest(
  ctx: EvaluationContext,
  pullNumber: number,
): Promise<EvaluationOutcome | { kind: 'closed'; pr: PullRequestData } | { kind: 'not-found' }> {
  const started = performance.now();
  const loaded = await loadAndEvaluate(ctx, pullNumber, {
    mayRequestReviewers: ctx.mayRequestReviewers,
    ...(ctx.pushes ? { pushes: ctx.pushes } : {}),
  });
  ctx.onUsage?.(loaded.usage);
  if (loaded.kind !== 'open') return loaded;
  const { pr, content, evaluated, configState } = loaded;
  const log = ctx.log.child({ head_sha: pr.head.sha });
  const writeOptions = {
    ...(ctx.appId ? { appId: ctx.appId } : {}),
    ...(ctx.checkRuns ? { store: ctx.checkRuns } : {}),
    ...(loaded.headCheckRun !== undefined ? { existing: loaded.headCheckRun } : {}),
  };
  const checkRun = await writeCheckRun(ctx.octokit, ctx.ref, pr.head.sha, content, writeOptions);
  if (!configState.ok) {
    log.warn({ conclusion: content.conclusion, check_run: checkRun.action, errors: configState.errors.length }, 'invalid configuration');
    return { conclusion: content.conclusion, checkRun, requested: null };
  }
  const config = configState.config;
  let requested: EvaluationOutcome['requested'] = null;
  if (evaluated && ctx.mayRequestReviewers && config.file.review.request_reviewers && !pr.draft) {
    requested = await requestReviewers(ctx, pr, evaluated.result, evaluated.facts, evaluated.timeline, log);
  }
  const durationMs = performance.now() - started;
  log.info(
    {
      conclusion: content.conclusion,
      check_run: checkRun.action,
      duration_ms: Math.round(durationMs),
      graphql_queries: loaded.usage.graphqlQueries,
      graphql_cost: loaded.usage.cost,
      rest_reads: loaded.usage.restRequests,
    },
    'gate evaluated',
  );
  if (ctx.metrics && evaluated) {
    const { result, verdict, touched, facts, commitInfo } = evaluated;
    const agentShas = new Set(verdict.agentCommitShas);
    await ctx.metrics.queueEvaluation({
      deliveryId: ctx.deliveryId,
      repository: `${ctx.ref.owner}/${ctx.ref.repo}`,
      pullNumber: pr.number,
      headSha: pr.head.sha,
      authorship: verdict,
      sensitiveGroups: touched.map((t) => t.group),
      changedFiles: pr.changed_files ?? 0,
      additions: pr.additions ?? 0,
      deletions: pr.deletions ?? 0,
      conclusion: content.conclusion,
      failingRules: result.rules.filter((r) => !r.holds).map((r) => r.name),
      gateSatisfied: result.satisfied,
      qualifyingApprovals: dedupeApprovals(result),
      requiredReviewers: [...new Set(result.rules.flatMap((r) => r.reviewers))],
      override: result.override
        ? {
            login: result.override.login,
            at: result.override.at,
            headSha: result.override.headSha,
            reason: result.override.reason,
            source: result.override.source,
          }
        : null,
      rules: result.rules.map((r) => ({ name: r.name, mode: r.mode, holds: r.holds })),
      enforceConclusion: result.enforceConclusion,
      commits: facts.commitShas.map((sha) => ({
        sha,
        agent: agentShas.has(sha),
        authorLogin: commitInfo.get(sha)?.authorLogin ?? null,
        committedAt: commitInfo.get(sha)?.committedAt ?? null,
      })),
      durationMs,
      evaluatedAt: new Date(),
    });
  }
  return { conclusion: content.conclusion, checkRun, requested };
}

function dedupeApprovals(result: GateResult): Array<{ login: string; submittedAt: string }> {
  const seen = new Map<string, string>();
  for (const rule of result.rules)
    for (const a of rule.approvals) if (a.submittedAt && !seen.has(a.login)) seen.set(a.login, a.submittedAt);
  return [...seen].map(([login, submittedAt]) => ({ login, submittedAt }));
}

async function requestReviewers(
  ctx: EvaluationContext,
  pr: PullRequestData,
  result: GateResult,
  facts: GateFacts,
  timeline: TimelineEventInput[],
  log: Logger,
): Promise<EvaluationOutcome['requested']> {
  const base = {
    rules: result.rules,
    owner: ctx.ref.owner,
    authorLogin: facts.pullRequest.authorLogin,
    reviewedBy: facts.reviews.map((r) => r.login),
    requestedUsers: (pr.requested_reviewers ?? []).map((r) => r.login),
    requestedTeams: (pr.requested_teams ?? []).map((t) => t.slug),
  };
  if (!hasCandidates(reviewersToRequest({ ...base, timeline: [] }))) return null;
  try {
    const request = reviewersToRequest({ ...base, timeline });
    if (!hasCandidates(request)) return null;
    await ctx.octokit.rest.pulls.requestReviewers({ ...ctx.ref, pull_number: pr.number, ...request });
    log.info({ reviewers: request.reviewers.length, team_reviewers: request.team_reviewers.length }, 'requested reviewers');
    return request;
  } catch (error) {
    // A failed review request does not change the gate's verdict; the check run already says who is needed.
    log.warn({ err: { message: (error as Error).message, status: (error as { status?: number }).status } }, 'could not request reviewers');
    return null;
  }
}
