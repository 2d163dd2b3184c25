/**
 * The fact loader: everything one gate evaluation reads from GitHub, in one GraphQL query, plus follow-up queries
 * only for connections with more than 100 nodes, and REST reads only for what GraphQL lacks (the previous path of a
 * renamed file; a file too large for GraphQL's `Blob.text`).
 *
 * Replaces, per evaluation: REST "Get a pull request", the configuration reads of Probot's `context.config` (the
 * repository's `.github/ai-review.yml` and the owner's `.github` fallback; `_extends` stays with the caller), "List
 * pull requests files", "List commits on a pull request", "List reviews for a pull request", "List team members" per
 * team, "Get repository permissions for a user" per reviewer (GitHub answers `authorCanPushToRepository` on each
 * review), "List timeline events for an issue" (label and review-request events), "List issue comments", the three
 * CODEOWNERS reads and "List CODEOWNERS errors".
 */
import { CONFIG_PATH } from '../../config/load.js';
import { CODEOWNERS_LOCATIONS } from '../../codeowners/index.js';
import type { CommitInput, TimelineEventInput } from '../../authorship/types.js';
import { INITIAL_PLAN, isEmptyPlan, mergePlans, missingFacts, type FactPlan } from '../../gate/plan.js';
import type { CodeownersFact, CommentFact, ReviewFact } from '../../gate/types.js';
import type { ChangedFile } from '../../paths/match.js';
import {
  MAX_LISTED_COMMITS,
  MAX_LISTED_FILES,
  tooManyCommitsMessage,
  tooManyFilesMessage,
  type PullRequestData,
  type RepoRef,
} from '../facts.js';
import { emptyUsage, restGet, runQuery, type ApiUsage, type FactsOctokit, type RateLimitData } from './client.js';
import {
  toChangedFile,
  toCommentFact,
  toCommitInput,
  toPullRequestData,
  toReviewFact,
  toTimelineEvent,
  type ActorNode,
  type CommitNode,
  type PullRequestNode,
  type ReviewNode,
  type ReviewerNode,
  type TimelineNode,
} from './map.js';
import { PAGE_SIZE, buildQuery, type PullRequestConnection, type QueryParts, type TeamRequest, type TimelineItemType } from './query.js';

/** A file of the default branch as GraphQL returned it. */
export interface RepositoryFile {
  /** `owner/name` of the repository it was read from. */
  repository: string;
  path: string;
  /** Git blob SHA (a cache key for the parsed file); null when the path is not a blob. */
  oid: string | null;
  /** The text; null when the path is a directory, a submodule or a binary file. */
  text: string | null;
}

/**
 * The configuration files, raw: the repository's `.github/ai-review.yml`, and the owner's `.github` repository's
 * (Probot's fallback when the repository has none; null when absent, not accessible, or the repository is `.github`
 * itself). `_extends` is not followed here.
 */
export interface ConfigFiles {
  repository: RepositoryFile | null;
  organization: RepositoryFile | null;
}

/** Why a PR cannot be evaluated safely; `message` is the `failure` check run's text. */
export interface CannotEvaluateMarker {
  reason: 'too-many-files' | 'too-many-commits' | 'files-incomplete' | 'rename-unresolved';
  message: string;
}

/** Everything the loader read about one pull request, in the shapes the core and the REST loaders use. */
export interface PullRequestFacts {
  kind: 'pull-request';
  /** REST "Get a pull request" shape (also replaces the job's `pulls.get`). */
  pullRequest: PullRequestData;
  config: ConfigFiles;
  /**
   * Set when the PR is past GitHub's listing limits (3,000 files, 250 commits: nothing was paged, the lists hold
   * the first page) or a renamed file's previous path could not be read. The caller fails closed with `message`.
   */
  cannotEvaluate: CannotEvaluateMarker | null;
  /** REST "List pull requests files" shape; `previous_filename` filled for renames when `fetched.previousPaths`. */
  files: ChangedFile[];
  /** REST "List commits on a pull request" shape, oldest first. */
  commits: CommitInput[];
  /** Submitted reviews, `automated` false (the caller marks bots and agents), deleted authors left out. */
  reviews: ReviewFact[];
  /** Lower-case login → push access, for every reviewer (when `fetched.writeAccess`; the gate reads those it needs). */
  writeAccess: Record<string, boolean>;
  /** `@org/slug` → member logins, lower case, for `fetched.teams` (a team that does not exist has none). */
  teamMembers: Record<string, string[]>;
  /** Teams of `fetched.teams` GitHub did not return (no such team or organization, or not visible to the app). */
  missingTeams: string[];
  /** Timeline events in REST shape: `labeled`/`unlabeled` and `review_requested`, as far as `fetched` says, oldest first. */
  timeline: TimelineEventInput[];
  /** PR conversation comments (when `fetched.comments`), oldest first; undefined when not read. */
  comments: CommentFact[] | undefined;
  /** Default branch's CODEOWNERS (GitHub's first location), null when none; undefined when not read. */
  codeowners: CodeownersFact | null | undefined;
  /** What was read: the plan the facts satisfy. */
  fetched: FactPlan;
  /**
   * This app's latest `ai-review` check run on the head SHA as the query found it (`options.appId`), null when there
   * is none; undefined when not read or not known (then the writer looks it up through REST).
   */
  headCheckRun?: ExistingCheckRun | null;
  /** Requests and points of this call only (not of earlier calls on the same facts). */
  usage: ApiUsage;
}

/** The loader's answer: the facts, or `not-found` when the repository or the PR does not exist for the app. */
export type LoadResult = PullRequestFacts | { kind: 'not-found'; usage: ApiUsage };

/** Options of {@link loadPullRequestFacts}. */
export interface LoadOptions {
  /**
   * What to read beyond the base facts (see src/gate/plan.ts): the previous evaluation's exact plan, or the
   * conservative `planFacts(knownConfig, {})`. Default {@link INITIAL_PLAN}.
   */
  plan?: FactPlan;
  /** This app's id: the query also reads the app's check run on the head SHA (see `headCheckRun`). */
  appId?: number;
}

/** A check run as GitHub's GraphQL API shows it, with REST's lower-case status and conclusion. */
export interface ExistingCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

interface HeadCheckRunNode {
  nodes: Array<{
    commit: {
      oid: string;
      checkSuites: {
        nodes: Array<{
          checkRuns: {
            nodes: Array<{
              databaseId: number;
              status: string;
              conclusion: string | null;
              title: string | null;
              summary: string | null;
            } | null>;
          } | null;
        } | null>;
      } | null;
    };
  } | null>;
}

/** The head's check run of the app from the query's answer; undefined when the answer does not say (see `headCheckRun`). */
function headCheckRunOf(node: HeadCheckRunNode | undefined, headSha: string): ExistingCheckRun | null | undefined {
  const commit = node?.nodes?.[0]?.commit;
  if (!commit || commit.oid !== headSha || !commit.checkSuites) return undefined;
  const suite = commit.checkSuites.nodes[0];
  if (!suite) return null;
  if (!suite.checkRuns) return undefined;
  const run = suite.checkRuns.nodes[0];
  if (!run) return null;
  if (typeof run.databaseId !== 'number') return undefined;
  return {
    id: run.databaseId,
    status: run.status.toLowerCase(),
    conclusion: run.conclusion ? run.conclusion.toLowerCase() : null,
    title: run.title ?? '',
    summary: run.summary ?? '',
  };
}

interface Connection<T> {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<T | null>;
}

interface BlobNode {
  __typename: string;
  oid?: string;
  text?: string | null;
  isTruncated?: boolean;
  isBinary?: boolean | null;
}

/** One error of GitHub's `Repository.codeowners { errors }`. */
export interface CodeownersErrorNode {
  line: number;
  column: number;
  kind: string;
  message: string;
  suggestion: string | null;
  path: string;
  source: string;
}

interface PullRequestConnections {
  labels?: Connection<{ name: string }>;
  assignees?: Connection<ActorNode>;
  reviewRequests?: Connection<{ requestedReviewer: ReviewerNode | null }>;
  files?: Connection<{ path: string; changeType: string }>;
  commits?: Connection<{ commit: CommitNode }>;
  reviews?: Connection<ReviewNode>;
  timeline?: Connection<TimelineNode>;
}

interface FactsResponse {
  repository?: {
    config?: BlobNode | null;
    codeowners0?: BlobNode | null;
    codeowners1?: BlobNode | null;
    codeowners2?: BlobNode | null;
    codeownersErrors?: { errors: CodeownersErrorNode[] } | null;
    pullRequest?: (Partial<PullRequestNode> & PullRequestConnections) | null;
  } | null;
  organizationConfig?: { config: BlobNode | null } | null;
  rateLimit?: RateLimitData | null;
  [orgAlias: string]: unknown;
}

type TeamResponse = Record<string, { members: Connection<{ login: string }> } | null> | null;

/** Node lists read so far, by connection. */
type Collected = { [K in PullRequestConnection]: unknown[] };

const BASE_CONNECTIONS: PullRequestConnection[] = ['labels', 'assignees', 'reviewRequests', 'files', 'commits', 'reviews'];

/** The timeline item types a plan asks for. */
function timelineTypes(plan: FactPlan): TimelineItemType[] {
  const types: TimelineItemType[] = [];
  if (plan.overrideLabelEvents) types.push('LABELED_EVENT', 'UNLABELED_EVENT');
  if (plan.reviewRequestEvents) types.push('REVIEW_REQUESTED_EVENT');
  if (plan.comments) types.push('ISSUE_COMMENT');
  return types;
}

/** Follow-up queries one load may send before giving up (30 suffice for 3,000 files; a team of 10,000 needs 100). */
const MAX_PAGE_ROUNDS = 100;

/** One query, then follow-up queries for every connection that has a next page, until none has (at most 100). */
async function readAll(
  octokit: FactsOctokit,
  ref: RepoRef,
  pullNumber: number,
  operation: string,
  first: QueryParts,
  usage: ApiUsage,
  stopPaging: (response: FactsResponse) => boolean,
): Promise<{ response: FactsResponse; collected: Collected; teams: Map<string, string[] | null> }> {
  const collected: Collected = { labels: [], assignees: [], reviewRequests: [], files: [], commits: [], reviews: [], timeline: [] };
  const teams = new Map<string, string[] | null>();
  let parts = first;
  let response: FactsResponse | null = null;
  for (let round = 0; ; round++) {
    if (round > MAX_PAGE_ROUNDS) throw new Error(`GitHub kept listing pages after ${MAX_PAGE_ROUNDS} follow-up queries`);
    const built = buildQuery(round === 0 ? operation : 'PullRequestFactsPage', ref, pullNumber, parts);
    const orgAliases = [...new Set([...built.teamAliases.values()].map(([org]) => org))];
    const data = await runQuery<FactsResponse>(octokit, built.query, built.variables, usage, [
      'repository',
      'organizationConfig',
      ...orgAliases,
    ]);
    if (round === 0) {
      response = data;
      if (parts.pullRequestFields && !data.repository?.pullRequest) return { response: data, collected, teams };
      if (parts.pullRequestFields && stopPaging(data)) {
        absorb(data, parts, collected, teams, built.teamAliases);
        return { response: data, collected, teams };
      }
    }
    const next = absorb(data, parts, collected, teams, built.teamAliases);
    if (next.connections.length === 0 && next.teams.length === 0) return { response: response!, collected, teams };
    parts = {
      pullRequestFields: false,
      configFiles: false,
      codeowners: false,
      writeAccess: parts.writeAccess,
      ...next,
      timelineTypes: parts.timelineTypes,
    };
  }
}

/** Appends a response's nodes and returns the connections and teams that have a next page. */
function absorb(
  data: FactsResponse,
  parts: QueryParts,
  collected: Collected,
  teams: Map<string, string[] | null>,
  teamAliases: Map<string, [string, string]>,
): Pick<QueryParts, 'connections' | 'teams'> {
  const next: Pick<QueryParts, 'connections' | 'teams'> = { connections: [], teams: [] };
  const pr = data.repository?.pullRequest;
  for (const { key } of parts.connections) {
    const connection = pr?.[key] as Connection<unknown> | undefined;
    if (!connection) continue;
    collected[key].push(...connection.nodes.filter((n) => n !== null));
    if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor)
      next.connections.push({ key, after: connection.pageInfo.endCursor });
  }
  for (const request of parts.teams) {
    const [orgAlias, teamAlias] = teamAliases.get(request.team)!;
    const team = (data[orgAlias] as TeamResponse)?.[teamAlias];
    if (!team) {
      teams.set(request.team, null);
      continue;
    }
    const members = teams.get(request.team) ?? [];
    members.push(...team.members.nodes.filter((n) => n !== null).map((n) => n.login.toLowerCase()));
    teams.set(request.team, members);
    if (team.members.pageInfo.hasNextPage && team.members.pageInfo.endCursor)
      next.teams.push({ team: request.team, after: team.members.pageInfo.endCursor } satisfies TeamRequest);
  }
  return next;
}

/** A blob's text, read again through REST (raw contents of the default branch) when GraphQL truncated it. */
async function blobText(
  octokit: FactsOctokit,
  owner: string,
  repo: string,
  path: string,
  blob: BlobNode,
  usage: ApiUsage,
): Promise<string | null> {
  if (blob.__typename !== 'Blob' || blob.isBinary === true || blob.text === null || blob.text === undefined) return null;
  if (!blob.isTruncated) return blob.text;
  const data = await restGet(octokit, '/repos/{owner}/{repo}/contents/{path}', { owner, repo, path, mediaType: { format: 'raw' } }, usage);
  return typeof data === 'string' ? data : null;
}

async function repositoryFile(
  octokit: FactsOctokit,
  owner: string,
  repo: string,
  path: string,
  blob: BlobNode | null | undefined,
  usage: ApiUsage,
): Promise<RepositoryFile | null> {
  if (!blob) return null;
  return { repository: `${owner}/${repo}`, path, oid: blob.oid ?? null, text: await blobText(octokit, owner, repo, path, blob, usage) };
}

/** CODEOWNERS as GitHub uses it: the first of its locations that holds a text file, with GitHub's errors for it. */
async function readCodeowners(
  octokit: FactsOctokit,
  ref: RepoRef,
  repository: NonNullable<FactsResponse['repository']>,
  usage: ApiUsage,
): Promise<CodeownersFact | null> {
  const blobs = [repository.codeowners0, repository.codeowners1, repository.codeowners2];
  for (let i = 0; i < CODEOWNERS_LOCATIONS.length; i++) {
    const path = CODEOWNERS_LOCATIONS[i]!;
    const file = await repositoryFile(octokit, ref.owner, ref.repo, path, blobs[i], usage);
    if (file?.text === null || file?.text === undefined) continue;
    const errors = (repository.codeownersErrors?.errors ?? [])
      .filter((e) => e.path === path)
      .map((e) => ({ line: e.line, kind: e.kind, message: e.message, suggestion: e.suggestion }));
    return { path, content: file.text, ...(errors.length > 0 ? { errors } : {}) };
  }
  return null;
}

/**
 * Fills `previous_filename` of renamed files from REST "List pull requests files" (GraphQL's changed files carry no
 * previous path): reads the page each renamed file is on (GraphQL and REST list files in the same order), each page
 * once, then any other page while a rename is still unresolved. Returns false when one stays unresolved.
 */
export async function resolveRenames(
  octokit: FactsOctokit,
  ref: RepoRef,
  pullNumber: number,
  files: ChangedFile[],
  usage: ApiUsage,
): Promise<boolean> {
  const renamed = new Map<string, ChangedFile>();
  const pages: number[] = [];
  files.forEach((file, i) => {
    if (file.status !== 'renamed') return;
    renamed.set(file.filename, file);
    const page = Math.floor(i / PAGE_SIZE) + 1;
    if (!pages.includes(page)) pages.push(page);
  });
  if (renamed.size === 0) return true;
  const lastPage = Math.max(1, Math.ceil(files.length / PAGE_SIZE));
  for (let p = 1; p <= lastPage; p++) if (!pages.includes(p)) pages.push(p);
  for (const page of pages) {
    if ([...renamed.values()].every((f) => f.previous_filename)) break;
    const data = (await restGet(
      octokit,
      '/repos/{owner}/{repo}/pulls/{pull_number}/files',
      { owner: ref.owner, repo: ref.repo, pull_number: pullNumber, per_page: PAGE_SIZE, page },
      usage,
    )) as Array<{ filename: string; status: string; previous_filename?: string }>;
    for (const item of data) {
      const file = renamed.get(item.filename);
      if (file && item.previous_filename) file.previous_filename = item.previous_filename;
    }
  }
  return [...renamed.values()].every((f) => f.previous_filename);
}

/** GitHub listed fewer files than the PR changes (e.g. a diff too large to compute): the gate cannot see every path. */
function filesIncomplete(listed: number, changed: number): CannotEvaluateMarker {
  return {
    reason: 'files-incomplete',
    message: `GitHub listed ${listed} of the ${changed} files this pull request changes, so the gate cannot see every path it touches. Use Re-run on this check to try again, or split the pull request.`,
  };
}

const RENAME_UNRESOLVED: CannotEvaluateMarker = {
  reason: 'rename-unresolved',
  message: 'GitHub did not list the previous path of a renamed file, so the gate cannot tell whether the move touches a sensitive path.',
};

/** Write access of every reviewer from `authorCanPushToRepository`. */
function writeAccessOf(reviews: ReviewNode[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const node of reviews) {
    const review = toReviewFact(node);
    if (review && node.authorCanPushToRepository !== undefined) out[review.login.toLowerCase()] = node.authorCanPushToRepository;
  }
  return out;
}

function teamFacts(teams: Map<string, string[] | null>): { teamMembers: Record<string, string[]>; missingTeams: string[] } {
  const teamMembers: Record<string, string[]> = {};
  const missingTeams: string[] = [];
  for (const [team, members] of teams) {
    teamMembers[team] = members ?? [];
    if (members === null) missingTeams.push(team);
  }
  return { teamMembers, missingTeams: missingTeams.sort() };
}

function splitTimeline(nodes: TimelineNode[]): { timeline: TimelineEventInput[]; comments: CommentFact[] } {
  return {
    timeline: nodes.map(toTimelineEvent).filter((e) => e !== null),
    comments: nodes.map(toCommentFact).filter((c) => c !== null),
  };
}

/**
 * Loads the facts of pull request `pullNumber` in `ref`: one GraphQL query (the PR, its first 100 files, commits,
 * reviews, labels, assignees and review requests, the configuration files, and what `options.plan` asks for: teams'
 * members, timeline events, comments, CODEOWNERS, reviewers' write access), follow-up queries only for connections
 * with more than 100 nodes, and REST reads for renamed files' previous paths (when the plan asks for them) and for
 * files too large for GraphQL.
 *
 * Past 3,000 changed files or 250 commits nothing is paged and `cannotEvaluate` is set. Output: {@link LoadResult}
 * with the usage of this call. Throws Octokit's errors for HTTP and network failures, and {@link GraphqlFactsError}
 * (with an HTTP-like `status`) for GraphQL errors other than a missing `.github` repository or organization.
 */
export async function loadPullRequestFacts(
  octokit: FactsOctokit,
  ref: RepoRef,
  pullNumber: number,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const plan = options.plan ?? INITIAL_PLAN;
  const usage = emptyUsage();
  const types = timelineTypes(plan);
  const first: QueryParts = {
    pullRequestFields: true,
    configFiles: true,
    codeowners: plan.codeowners,
    connections: [...BASE_CONNECTIONS, ...(types.length > 0 ? (['timeline'] as const) : [])].map((key) => ({ key })),
    teams: plan.teams.map((team) => ({ team })),
    writeAccess: plan.writeAccess,
    timelineTypes: types,
    ...(options.appId ? { checkRunOfApp: options.appId } : {}),
  };
  const tooLarge = (pr: Partial<PullRequestNode> & PullRequestConnections): CannotEvaluateMarker | null => {
    if ((pr.changedFiles ?? 0) > MAX_LISTED_FILES) return { reason: 'too-many-files', message: tooManyFilesMessage(pr.changedFiles!) };
    const commits = pr.commits?.totalCount ?? 0;
    if (commits > MAX_LISTED_COMMITS) return { reason: 'too-many-commits', message: tooManyCommitsMessage(commits) };
    return null;
  };
  const { response, collected, teams } = await readAll(
    octokit,
    ref,
    pullNumber,
    'PullRequestFacts',
    first,
    usage,
    (data) => tooLarge(data.repository!.pullRequest!) !== null,
  );
  const repository = response.repository;
  const prNode = repository?.pullRequest;
  if (!repository || !prNode) return { kind: 'not-found', usage };
  let cannotEvaluate = tooLarge(prNode);
  const files = (collected.files as Array<{ path: string; changeType: string }>).map(toChangedFile);
  const commits = (collected.commits as Array<{ commit: CommitNode }>).map((c) => toCommitInput(c.commit));
  const reviewNodes = collected.reviews as ReviewNode[];
  const { timeline, comments } = splitTimeline(collected.timeline as TimelineNode[]);
  if (!cannotEvaluate && files.length < (prNode.changedFiles ?? 0)) cannotEvaluate = filesIncomplete(files.length, prNode.changedFiles!);
  if (!cannotEvaluate && plan.previousPaths && !(await resolveRenames(octokit, ref, pullNumber, files, usage)))
    cannotEvaluate = RENAME_UNRESOLVED;
  const config: ConfigFiles = {
    repository: await repositoryFile(octokit, ref.owner, ref.repo, CONFIG_PATH, repository.config, usage),
    organization:
      ref.repo === '.github'
        ? null
        : await repositoryFile(octokit, ref.owner, '.github', CONFIG_PATH, response.organizationConfig?.config, usage),
  };
  const pullRequest = toPullRequestData(prNode as PullRequestNode, {
    labels: (collected.labels as Array<{ name: string }>).map((l) => l.name),
    assignees: collected.assignees as ActorNode[],
    reviewRequests: (collected.reviewRequests as Array<{ requestedReviewer: ReviewerNode | null }>).map((r) => r.requestedReviewer),
    commitCount: prNode.commits?.totalCount ?? commits.length,
  });
  return {
    kind: 'pull-request',
    pullRequest,
    config,
    cannotEvaluate,
    files,
    commits,
    reviews: reviewNodes.map(toReviewFact).filter((r) => r !== null),
    writeAccess: plan.writeAccess ? writeAccessOf(reviewNodes) : {},
    ...teamFacts(teams),
    timeline,
    comments: plan.comments ? comments : undefined,
    codeowners: plan.codeowners ? await readCodeowners(octokit, ref, repository, usage) : undefined,
    fetched: { ...plan, teams: [...plan.teams].sort() },
    ...(options.appId
      ? { headCheckRun: headCheckRunOf((prNode as { headCheckRun?: HeadCheckRunNode }).headCheckRun, prNode.headRefOid!) }
      : {}),
    usage,
  };
}

/**
 * Reads what `needed` asks for that `facts` lacks (see `missingFacts` in src/gate/plan.ts), in one query plus pages,
 * and merges it in. Sends nothing when nothing is missing. `needed` may be a function of the facts read so far (the
 * caller's `planFacts(config, …)`): it is asked again after each read, at most 3 times, since CODEOWNERS read in one
 * round can name teams for the next. Output: the merged facts, `usage` covering this call only.
 */
export async function completePullRequestFacts(
  octokit: FactsOctokit,
  ref: RepoRef,
  pullNumber: number,
  facts: PullRequestFacts,
  needed: FactPlan | ((facts: PullRequestFacts) => FactPlan),
): Promise<PullRequestFacts> {
  const usage = emptyUsage();
  let current: PullRequestFacts = { ...facts, usage };
  for (let round = 0; round < 3; round++) {
    const plan = typeof needed === 'function' ? needed(current) : needed;
    const missing = missingFacts(plan, current.fetched);
    if (isEmptyPlan(missing)) break;
    current = await readMissing(octokit, ref, pullNumber, current, missing, usage);
    if (typeof needed !== 'function') break;
  }
  return { ...current, usage };
}

async function readMissing(
  octokit: FactsOctokit,
  ref: RepoRef,
  pullNumber: number,
  facts: PullRequestFacts,
  missing: FactPlan,
  usage: ApiUsage,
): Promise<PullRequestFacts> {
  const types = timelineTypes(missing);
  const connections: PullRequestConnection[] = [
    ...(missing.writeAccess ? (['reviews'] as const) : []),
    ...(types.length > 0 ? (['timeline'] as const) : []),
  ];
  const next: PullRequestFacts = { ...facts, fetched: mergePlans(facts.fetched, missing) };
  if (connections.length > 0 || missing.teams.length > 0 || missing.codeowners) {
    const parts: QueryParts = {
      pullRequestFields: false,
      configFiles: false,
      codeowners: missing.codeowners,
      connections: connections.map((key) => ({ key })),
      teams: missing.teams.map((team) => ({ team })),
      writeAccess: missing.writeAccess,
      timelineTypes: types,
    };
    const { response, collected, teams } = await readAll(octokit, ref, pullNumber, 'PullRequestFactsMissing', parts, usage, () => false);
    const team = teamFacts(teams);
    next.teamMembers = { ...facts.teamMembers, ...team.teamMembers };
    next.missingTeams = [...new Set([...facts.missingTeams, ...team.missingTeams])].sort();
    if (missing.writeAccess) next.writeAccess = { ...facts.writeAccess, ...writeAccessOf(collected.reviews as ReviewNode[]) };
    if (types.length > 0) {
      const { timeline, comments } = splitTimeline(collected.timeline as TimelineNode[]);
      next.timeline = [...facts.timeline, ...timeline].sort((a, b) => Date.parse(a.created_at ?? '') - Date.parse(b.created_at ?? ''));
      if (missing.comments) next.comments = comments;
    }
    if (missing.codeowners && response.repository) next.codeowners = await readCodeowners(octokit, ref, response.repository, usage);
  }
  if (missing.previousPaths && !next.cannotEvaluate) {
    const files = next.files.map((f) => ({ ...f }));
    next.files = files;
    if (!(await resolveRenames(octokit, ref, pullNumber, files, usage))) next.cannotEvaluate = RENAME_UNRESOLVED;
  }
  return next;
}
