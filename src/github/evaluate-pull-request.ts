/**
 * One gate evaluation for one pull request: fetch the facts once, call the pure core (authorship, paths, gate,
 * summary), write the check run if it changed, request reviewers, record metrics. Fails closed: any error while
 * evaluating leaves a `failure` check run that says how to re-run it.
 */
import type { Logger } from 'pino';
import { classifyPullRequest, identifyAccount } from '../authorship/index.js';
import type { EffectiveConfig } from '../config/load.js';
import { gateCheckRun } from '../gate/check.js';
import { applicableRules, teamsToFetch } from '../gate/evaluate.js';
import { hasOverrideCommand } from '../gate/overrides.js';
import { renderCannotEvaluateCheckRun, renderConfigErrorCheckRun, type CheckRunContent } from '../gate/summary.js';
import type { GateFacts, GateResult, ReviewFact } from '../gate/types.js';
import type { MetricsSink } from '../metrics/sink.js';
import { classifyChangedFiles } from '../paths/match.js';
import { writeCheckRun, type CheckRunWrite } from './check-run.js';
import type { ConfigState } from './config.js';
import { transientFailure } from './retry.js';
import {
  MAX_LISTED_COMMITS,
  MAX_LISTED_FILES,
  hasWriteAccess,
  labelEvents,
  labelNames,
  listChangedFiles,
  listCommits,
  listReviews,
  listTeamMembers,
  listOverrideComments,
  listTimeline,
  readCodeowners,
  type Octokit,
  type PullRequestData,
  type RepoRef,
} from './facts.js';
import { hasCandidates, reviewersToRequest } from './reviewers.js';
import type { TimelineEventInput } from '../authorship/types.js';

/** What an evaluation needs from its surroundings. */
export interface EvaluationContext {
  octokit: Octokit;
  log: Logger;
  ref: RepoRef;
  deliveryId: string;
  /** This app's id, to find its own check runs. */
  appId?: number;
  metrics: MetricsSink | null;
  /** Whether this evaluation may ask for reviews (only on PR events, not on re-runs or review events). */
  mayRequestReviewers: boolean;
}

/** The outcome of one evaluation, for logs and tests. */
export interface EvaluationOutcome {
  conclusion: CheckRunContent['conclusion'];
  checkRun: CheckRunWrite;
  requested: { reviewers: string[]; team_reviewers: string[] } | null;
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

/** What evaluating a PR without writing gives: the check-run content, and the evaluation when there was one. */
export interface GateEvaluation {
  content: CheckRunContent;
  /** Null when the config is invalid or the PR cannot be evaluated (`content` then says why). */
  evaluated: Evaluated | null;
}

/** The facts and results of one evaluation. */
export type Evaluated = Awaited<ReturnType<typeof gatherAndEvaluate>>;

/**
 * Gathers the PR's facts and evaluates the gate, writing nothing (the app's jobs, merge groups, `ai-review
 * simulate`). An invalid config, an unevaluable PR (too large, no author) or a GitHub error that retrying cannot
 * fix gives `failure` content; transient GitHub errors are thrown (see retry.ts).
 */
export async function evaluateGateForPullRequest(
  ctx: Pick<EvaluationContext, 'octokit' | 'ref' | 'log'>,
  pr: PullRequestData,
  configState: ConfigState,
): Promise<GateEvaluation> {
  if (!configState.ok) return { content: renderConfigErrorCheckRun(configState.errors), evaluated: null };
  try {
    const evaluated = await gatherAndEvaluate(ctx, pr, configState.config);
    return { content: evaluated.checkRun, evaluated };
  } catch (error) {
    // Transient GitHub failures go back to the job, which retries them; anything else fails closed here.
    if (transientFailure(error, new Date(), 1)) throw error;
    if (error instanceof CannotEvaluate) {
      ctx.log.warn({ reason: error.message }, 'pull request cannot be evaluated safely');
      return { content: renderCannotEvaluateCheckRun(error.message), evaluated: null };
    }
    ctx.log.error({ err: { message: (error as Error).message, status: (error as { status?: number }).status } }, 'gate evaluation failed');
    return { content: renderCannotEvaluateCheckRun(describeApiError(error)), evaluated: null };
  }
}

/**
 * Evaluates the gate for `pr` and writes the check run on its head SHA (then requests reviewers and records
 * metrics). For GitHub API errors that retrying cannot fix it writes a `failure` check run; transient ones (rate
 * limits, 5xx, network; see retry.ts) are thrown for the job to retry, and so is a failed check-run write.
 */
export async function evaluatePullRequest(
  ctx: EvaluationContext,
  pr: PullRequestData,
  configState: ConfigState,
): Promise<EvaluationOutcome> {
  const started = performance.now();
  const log = ctx.log.child({ head_sha: pr.head.sha });
  const { content, evaluated } = await evaluateGateForPullRequest({ ...ctx, log }, pr, configState);
  if (!configState.ok) {
    const checkRun = await writeCheckRun(ctx.octokit, ctx.ref, pr.head.sha, content, { appId: ctx.appId });
    log.warn({ conclusion: content.conclusion, check_run: checkRun.action, errors: configState.errors.length }, 'invalid configuration');
    return { conclusion: content.conclusion, checkRun, requested: null };
  }
  const config = configState.config;
  const checkRun = await writeCheckRun(ctx.octokit, ctx.ref, pr.head.sha, content, { appId: ctx.appId });
  let requested: EvaluationOutcome['requested'] = null;
  if (evaluated && ctx.mayRequestReviewers && config.file.review.request_reviewers && !pr.draft) {
    requested = await requestReviewers(ctx, pr, evaluated.result, evaluated.facts, evaluated.timeline, log);
  }
  const durationMs = performance.now() - started;
  log.info({ conclusion: content.conclusion, check_run: checkRun.action, duration_ms: Math.round(durationMs) }, 'gate evaluated');
  if (ctx.metrics && evaluated) {
    const { result, verdict, touched, facts, commitInfo } = evaluated;
    const agentShas = new Set(verdict.agentCommitShas);
    await ctx.metrics.recordEvaluation({
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

async function gatherAndEvaluate(ctx: Pick<EvaluationContext, 'octokit' | 'ref'>, pr: PullRequestData, config: EffectiveConfig) {
  if (!pr.user) throw new CannotEvaluate('The pull request has no author in the payload.');
  if ((pr.changed_files ?? 0) > MAX_LISTED_FILES) {
    throw new CannotEvaluate(
      `This pull request changes ${pr.changed_files} files. GitHub lists at most ${MAX_LISTED_FILES} files of a pull request, so the gate cannot see which paths it touches. Split it into smaller pull requests.`,
    );
  }
  if ((pr.commits ?? 0) > MAX_LISTED_COMMITS) {
    throw new CannotEvaluate(
      `This pull request has ${pr.commits} commits. GitHub lists at most ${MAX_LISTED_COMMITS} commits of a pull request, so the gate cannot tell who wrote all of them. Squash or split it.`,
    );
  }
  const [files, commits, reviews] = await Promise.all([
    listChangedFiles(ctx.octokit, ctx.ref, pr.number),
    listCommits(ctx.octokit, ctx.ref, pr.number),
    listReviews(ctx.octokit, ctx.ref, pr.number),
  ]);
  if (files.length >= MAX_LISTED_FILES && (pr.changed_files === undefined || pr.changed_files > files.length)) {
    throw new CannotEvaluate(
      `GitHub listed ${files.length} changed files, its limit; the gate cannot see every path. Split the pull request.`,
    );
  }
  const labels = labelNames(pr);
  const verdict = classifyPullRequest(
    {
      pull_request: {
        number: pr.number,
        title: pr.title ?? null,
        body: pr.body ?? null,
        user: pr.user,
        head: { ref: pr.head.ref ?? null },
        labels: labels.map((name) => ({ name })),
        assignees: pr.assignees ?? [],
        html_url: pr.html_url ?? null,
        created_at: pr.created_at ?? null,
      },
      commits,
    },
    config.authorship,
  );
  const touched = classifyChangedFiles(files, config.compiledPathGroups);
  const markedReviews: ReviewFact[] = reviews.map((r) => ({
    ...r,
    automated:
      r.userType === 'Bot' ||
      identifyAccount({ login: r.login, id: r.userId ?? null, type: r.userType ?? null }, config.authorship) !== null,
  }));
  const rules = applicableRules(config.rules, verdict, touched).map((a) => a.rule);
  const overrideLabel = config.file.overrides.label.toLowerCase();
  const overridePresent = labels.some((l) => l.toLowerCase() === overrideLabel);
  // CODEOWNERS only when an applicable rule requires code owners; comments only when overrides are configured.
  const codeowners = rules.some((r) => r.require.codeowners === true) ? await readCodeowners(ctx.octokit, ctx.ref) : undefined;
  const comments = config.file.overrides.allowed.length > 0 ? await listOverrideComments(ctx.octokit, ctx.ref, pr.number) : undefined;
  const teams = teamsToFetch(config, rules, overridePresent, {
    overrideCommandPresent: hasOverrideCommand(comments),
    changedFiles: files,
    ...(codeowners !== undefined ? { codeowners } : {}),
  });
  const teamMembers: Record<string, string[]> = {};
  await Promise.all(
    teams.map(async (team) => {
      teamMembers[team] = (await listTeamMembers(ctx.octokit, team)).members;
    }),
  );
  const writeAccess: Record<string, boolean> = {};
  if (rules.some((r) => r.require.reviewers === undefined)) {
    const author = pr.user.login.toLowerCase();
    const candidates = new Set(
      markedReviews
        .filter((r) => (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED') && !r.automated && r.login.toLowerCase() !== author)
        .map((r) => r.login.toLowerCase()),
    );
    await Promise.all(
      [...candidates].map(async (login) => {
        writeAccess[login] = await hasWriteAccess(ctx.octokit, ctx.ref, login);
      }),
    );
  }
  let timeline: TimelineEventInput[] | null = null;
  if (overridePresent) timeline = await listTimeline(ctx.octokit, ctx.ref, pr.number);
  const facts: GateFacts = {
    pullRequest: { number: pr.number, authorLogin: pr.user.login, draft: pr.draft ?? false, headSha: pr.head.sha, labels },
    authorship: verdict,
    touchedGroups: touched,
    commitShas: commits.map((c) => c.sha ?? ''),
    reviews: markedReviews,
    teamMembers,
    writeAccess,
    overrideLabelEvents: timeline ? labelEvents(timeline, config.file.overrides.label) : [],
    changedFiles: files,
    commits: commits.map((c) => ({
      sha: c.sha ?? '',
      authorLogin: c.author?.login ?? null,
      committerLogin: c.committer?.login ?? null,
      committedAt: c.commit?.committer?.date ?? null,
    })),
    ...(codeowners !== undefined ? { codeowners } : {}),
    ...(comments !== undefined ? { comments } : {}),
  };
  const { result, checkRun } = gateCheckRun(config, facts);
  const commitInfo = new Map(
    commits.map((c) => [c.sha ?? '', { authorLogin: c.author?.login ?? null, committedAt: c.commit?.committer?.date ?? null }] as const),
  );
  return { result, checkRun, verdict, touched, facts, timeline, commitInfo };
}

async function requestReviewers(
  ctx: EvaluationContext,
  pr: PullRequestData,
  result: GateResult,
  facts: GateFacts,
  knownTimeline: TimelineEventInput[] | null,
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
    const timeline = knownTimeline ?? (await listTimeline(ctx.octokit, ctx.ref, pr.number));
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
