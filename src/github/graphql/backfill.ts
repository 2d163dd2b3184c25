/**
 * The backfill's reads through GraphQL, many pull requests per query, mapped onto the REST shapes the backfill records
 * (src/metrics/backfill.ts) by the loader's own mapping (map.ts).
 *
 * Two kinds of query per repository:
 * - `BackfillPullRequestList`: the default branch, `.github/ai-review.yml`, and 100 pull requests per page (number and
 *   creation time, newest first), until one is older than the window. One connection: 1 point per 100 PRs.
 * - `BackfillPullRequests`: {@link DETAIL_BATCH_SIZE} pull requests by number (aliases), each with its first 100
 *   labels, assignees, changed files, commits, reviews and lifecycle timeline items. No connection is nested in
 *   another, so by GitHub's formula (GitHub Docs, "Rate limits and node limits for the GraphQL API": the requests
 *   each connection needs, products of the enclosing `first`s, summed, divided by 100, rounded, at least 1) the query
 *   needs 6 requests per PR: 16 PRs are 96 requests, 1 point, 0.0625 point per PR; with the list, 0.0725.
 * A pull request with more than 100 nodes in one of its connections gets `BackfillPullRequestPages` queries for just
 * those connections (1 point each); a renamed file's previous path is read from REST "List pull requests files"
 * (GraphQL does not give it), as the live loader does.
 *
 * Fields: checked one by one against GitHub Enterprise Server 3.17's schema (github/docs
 * src/graphql/data/ghes-3.17/schema.docs-enterprise.graphql at commit 85411a0, 2026-12-01): every type, field, argument
 * and enum value used exists.
 */
import type { CommitInput } from '../../authorship/types.js';
import { CONFIG_PATH } from '../../config/load.js';
import type { ChangedFile } from '../../paths/match.js';
import type { PullRequestData } from '../facts.js';
import { runQuery, type ApiUsage, type FactsOctokit, type RateLimitData } from './client.js';
import { resolveRenames } from './load.js';
import {
  toChangedFile,
  toCommitInput,
  toHistoryEvent,
  toPullRequestData,
  toReviewFact,
  type ActorNode,
  type CommitNode,
  type HistoryEvent,
  type PullRequestNode,
  type ReviewNode,
  type TimelineNode,
} from './map.js';
import { PAGE_SIZE, withFragments } from './query.js';

/** Pull requests per `BackfillPullRequestList` page (GitHub's largest page). */
export const LIST_PAGE_SIZE = 100;
/** Pull requests per `BackfillPullRequests` query: 6 connections each, 96 requests, 1 point (see the module doc). */
export const DETAIL_BATCH_SIZE = 16;

/** Timeline item types the backfill reads: those the metrics derive from, and `ASSIGNED_EVENT` for the classifier. */
export const BACKFILL_TIMELINE_TYPES = [
  'READY_FOR_REVIEW_EVENT',
  'CONVERT_TO_DRAFT_EVENT',
  'REVIEW_REQUESTED_EVENT',
  'REVIEW_REQUEST_REMOVED_EVENT',
  'CLOSED_EVENT',
  'REOPENED_EVENT',
  'HEAD_REF_FORCE_PUSHED_EVENT',
  'REVIEW_DISMISSED_EVENT',
  'ASSIGNED_EVENT',
] as const;

/** The connections of a pull request the backfill reads. */
type BackfillConnection = 'labels' | 'assignees' | 'files' | 'commits' | 'reviews' | 'timeline';
const CONNECTIONS: readonly BackfillConnection[] = ['labels', 'assignees', 'files', 'commits', 'reviews', 'timeline'];

const FRAGMENTS: Record<string, string> = {
  BackfillTimelineItem: `fragment BackfillTimelineItem on PullRequestTimelineItems { __typename ... on ReadyForReviewEvent { createdAt actor { ...Account } } ... on ConvertToDraftEvent { createdAt actor { ...Account } } ... on ClosedEvent { createdAt actor { ...Account } } ... on ReopenedEvent { createdAt actor { ...Account } } ... on ReviewRequestedEvent { createdAt actor { ...Account } requestedReviewer { ...Reviewer } } ... on ReviewRequestRemovedEvent { createdAt actor { ...Account } requestedReviewer { ...Reviewer } } ... on HeadRefForcePushedEvent { createdAt actor { ...Account } afterCommit { oid } } ... on ReviewDismissedEvent { createdAt actor { ...Account } previousReviewState review { fullDatabaseId } } ... on AssignedEvent { createdAt actor { ...Account } assignee { __typename ... on User { login databaseId } ... on Bot { login databaseId } ... on Mannequin { login databaseId } ... on Organization { login databaseId } } } }`,
  BackfillPullRequest: `fragment BackfillPullRequest on PullRequest { number state isDraft title body url createdAt updatedAt closedAt mergedAt mergeCommit { oid } changedFiles additions deletions headRefName headRefOid baseRefName baseRefOid author { ...Account } ${CONNECTIONS.map((key) => connection(key)).join(' ')} }`,
};

/** The selection of one connection, from its first page or from the cursor variable `after`. */
function connection(key: BackfillConnection, after?: string): string {
  const cursor = after !== undefined ? `, after: $${after}` : '';
  const page = `(first: ${PAGE_SIZE}${cursor}`;
  const tail = 'pageInfo { hasNextPage endCursor }';
  switch (key) {
    case 'labels':
      return `labels${page}) { ${tail} nodes { name } }`;
    case 'assignees':
      return `assignees${page}) { ${tail} nodes { __typename login databaseId } }`;
    case 'files':
      return `files${page}) { ${tail} nodes { path changeType } }`;
    case 'commits':
      return `commits${page}) { totalCount ${tail} nodes { commit { ...CommitFields } } }`;
    case 'reviews':
      return `reviews${page}) { ${tail} nodes { fullDatabaseId state submittedAt commit { oid } author { ...Account } } }`;
    case 'timeline':
      return `timeline: timelineItems${page}, itemTypes: $timelineTypes) { ${tail} nodes { ...BackfillTimelineItem } }`;
  }
}

const RATE_LIMIT = 'rateLimit { cost remaining resetAt }';
const TIMELINE_TYPES_DECLARATION = '$timelineTypes: [PullRequestTimelineItemsItemType!]!';

interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<T | null> | null;
}

interface PullRequestPages {
  labels?: Page<{ name: string }>;
  assignees?: Page<ActorNode>;
  files?: Page<{ path: string; changeType: string }>;
  commits?: Page<{ commit: CommitNode }> & { totalCount: number };
  reviews?: Page<ReviewNode>;
  timeline?: Page<TimelineNode>;
}

type PullRequestDetailNode = PullRequestNode &
  PullRequestPages & { updatedAt: string; closedAt: string | null; mergedAt: string | null; mergeCommit: { oid: string } | null };

/** A repository of the backfill. */
export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** What `listPullRequestsSince` found. */
export interface RepositoryListing {
  /** The default branch's name (`main` when the repository is empty). */
  defaultBranch: string;
  /** `.github/ai-review.yml` on the default branch: its text, null when absent; `truncated` when GitHub cut it. */
  config: { text: string | null; truncated: boolean };
  /** Pull requests created at or after `since`, oldest first. */
  pullRequests: Array<{ number: number; createdAt: string }>;
}

/**
 * Lists the pull requests of a repository created at or after `since` (newest first, 100 per query, stopping at the
 * first older one), with the repository's default branch and config file from the first query. `onPage` gets the
 * count listed so far after each page. Throws what `runQuery` throws (GraphqlFactsError, transport errors).
 */
export async function listPullRequestsSince(
  octokit: FactsOctokit,
  ref: RepositoryRef,
  since: Date,
  usage: ApiUsage,
  onPage?: (listed: number) => void,
): Promise<RepositoryListing> {
  type Data = {
    repository: {
      defaultBranchRef?: { name: string } | null;
      config?: { __typename: string; text?: string | null; isTruncated?: boolean } | null;
      pullRequests: Page<{ number: number; createdAt: string }>;
    };
    rateLimit?: RateLimitData | null;
  };
  const listing: RepositoryListing = { defaultBranch: 'main', config: { text: null, truncated: false }, pullRequests: [] };
  let after: string | null = null;
  for (;;) {
    const head = after === null;
    const repositoryFields = head
      ? `defaultBranchRef { name } config: object(expression: ${JSON.stringify(`HEAD:${CONFIG_PATH}`)}) { __typename ... on Blob { text isTruncated } } `
      : '';
    const query = `query BackfillPullRequestList($owner: String!, $name: String!${head ? '' : ', $after: String!'}) { repository(owner: $owner, name: $name) { ${repositoryFields}pullRequests(first: ${LIST_PAGE_SIZE}${head ? '' : ', after: $after'}, orderBy: {field: CREATED_AT, direction: DESC}) { pageInfo { hasNextPage endCursor } nodes { number createdAt } } } ${RATE_LIMIT} }`;
    const data: Data = await runQuery<Data>(octokit, query, { owner: ref.owner, name: ref.repo, ...(head ? {} : { after }) }, usage, []);
    if (head) {
      listing.defaultBranch = data.repository.defaultBranchRef?.name ?? 'main';
      const blob = data.repository.config;
      if (blob?.__typename === 'Blob') listing.config = { text: blob.text ?? null, truncated: blob.isTruncated ?? false };
    }
    let older = false;
    for (const node of data.repository.pullRequests.nodes ?? []) {
      if (!node) continue;
      if (Date.parse(node.createdAt) < since.getTime()) {
        older = true;
        break;
      }
      listing.pullRequests.push(node);
    }
    onPage?.(listing.pullRequests.length);
    const { hasNextPage, endCursor } = data.repository.pullRequests.pageInfo;
    if (older || !hasNextPage || !endCursor) break;
    after = endCursor;
  }
  listing.pullRequests.sort((a, b) => a.number - b.number);
  return listing;
}

/** One past pull request in the REST shapes `buildBackfill` and the classifier read. */
export interface BackfillPullRequest {
  /** REST "Get a pull request" (the fields `PullRequestData` names, with the lifecycle dates). */
  pull: PullRequestData & {
    created_at: string;
    updated_at: string;
    closed_at: string | null;
    merged_at: string | null;
    merge_commit_sha: string | null;
  };
  /** REST "List commits on a pull request", oldest first. */
  commits: CommitInput[];
  /** REST "List reviews for a pull request" (the fields the backfill reads). */
  reviews: Array<{
    id: number;
    user: { login: string; type: string };
    state: string;
    submitted_at: string | null;
    commit_id: string | null;
  }>;
  /** REST "List timeline events for an issue", the lifecycle events only. */
  timeline: HistoryEvent[];
  /** REST "List pull requests files" (`previous_filename` of renames from REST; null when GitHub did not list it). */
  files: ChangedFile[];
}

/** A pull request's nodes, gathered over its pages. */
interface Gathered {
  node: PullRequestDetailNode;
  labels: Array<{ name: string }>;
  assignees: ActorNode[];
  files: Array<{ path: string; changeType: string }>;
  commits: Array<{ commit: CommitNode }>;
  reviews: ReviewNode[];
  timeline: TimelineNode[];
}

const nodesOf = <T>(page: Page<T> | undefined): T[] => (page?.nodes ?? []).filter((n): n is T => n !== null);

/** Appends the nodes of each page to `into`; returns the connections with a next page and their cursors. */
function gather(into: Gathered, pages: PullRequestPages): Array<{ key: BackfillConnection; after: string }> {
  into.labels.push(...nodesOf(pages.labels));
  into.assignees.push(...nodesOf(pages.assignees));
  into.files.push(...nodesOf(pages.files));
  into.commits.push(...nodesOf(pages.commits));
  into.reviews.push(...nodesOf(pages.reviews));
  into.timeline.push(...nodesOf(pages.timeline));
  return CONNECTIONS.flatMap((key) => {
    const info = pages[key]?.pageInfo;
    return info?.hasNextPage && info.endCursor ? [{ key, after: info.endCursor }] : [];
  });
}

/**
 * Reads the pull requests `numbers` (at most {@link DETAIL_BATCH_SIZE} per query; more are split) with the first page
 * of each connection. Returns them in the order of `numbers`, each with the connections that have more pages; a
 * number GitHub does not know is left out. Complete each with {@link completePullRequest}.
 */
export async function loadPullRequests(
  octokit: FactsOctokit,
  ref: RepositoryRef,
  numbers: readonly number[],
  usage: ApiUsage,
): Promise<PartialPullRequest[]> {
  const out: PartialPullRequest[] = [];
  for (let start = 0; start < numbers.length; start += DETAIL_BATCH_SIZE) {
    const batch = numbers.slice(start, start + DETAIL_BATCH_SIZE);
    const declarations = batch.map((_, i) => `$n${i}: Int!`).join(', ');
    const aliases = batch.map((_, i) => `p${i}: pullRequest(number: $n${i}) { ...BackfillPullRequest }`).join(' ');
    const query = withFragments(
      `query BackfillPullRequests($owner: String!, $name: String!, ${declarations}, ${TIMELINE_TYPES_DECLARATION}) { repository(owner: $owner, name: $name) { ${aliases} } ${RATE_LIMIT} }`,
      FRAGMENTS,
    );
    const variables: Record<string, unknown> = { owner: ref.owner, name: ref.repo, timelineTypes: BACKFILL_TIMELINE_TYPES };
    batch.forEach((n, i) => (variables[`n${i}`] = n));
    const missingOk = ['repository'];
    const data = await runQuery<{ repository: Record<string, PullRequestDetailNode | null> | null; rateLimit?: RateLimitData | null }>(
      octokit,
      query,
      variables,
      usage,
      missingOk,
    );
    batch.forEach((_, i) => {
      const node = data.repository?.[`p${i}`];
      if (!node) return;
      const gathered: Gathered = { node, labels: [], assignees: [], files: [], commits: [], reviews: [], timeline: [] };
      out.push({ gathered, next: gather(gathered, node) });
    });
  }
  return out;
}

/** A pull request read by {@link loadPullRequests}, some of whose connections may have more pages. */
export interface PartialPullRequest {
  gathered: Gathered;
  next: Array<{ key: BackfillConnection; after: string }>;
}

/**
 * Reads the remaining pages of a pull request's connections (one query per round, with only the connections that
 * still have pages), the previous paths of its renamed files from REST when `renames` is true, and maps it onto the
 * REST shapes. Throws what `runQuery` / `restGet` throw.
 */
export async function completePullRequest(
  octokit: FactsOctokit,
  ref: RepositoryRef,
  partial: PartialPullRequest,
  usage: ApiUsage,
  renames: boolean,
): Promise<BackfillPullRequest> {
  const { gathered } = partial;
  const number = gathered.node.number;
  let next = partial.next;
  while (next.length > 0) {
    const declarations = next.map(({ key }) => `$${key}After: String!`);
    if (next.some(({ key }) => key === 'timeline')) declarations.push(TIMELINE_TYPES_DECLARATION);
    const selections = next.map(({ key }) => connection(key, `${key}After`)).join(' ');
    const query = withFragments(
      `query BackfillPullRequestPages($owner: String!, $name: String!, $number: Int!, ${declarations.join(', ')}) { repository(owner: $owner, name: $name) { pullRequest(number: $number) { ${selections} } } ${RATE_LIMIT} }`,
      FRAGMENTS,
    );
    const variables: Record<string, unknown> = { owner: ref.owner, name: ref.repo, number };
    for (const { key, after } of next) variables[`${key}After`] = after;
    if (next.some(({ key }) => key === 'timeline')) variables.timelineTypes = BACKFILL_TIMELINE_TYPES;
    const data = await runQuery<{ repository: { pullRequest: PullRequestPages }; rateLimit?: RateLimitData | null }>(
      octokit,
      query,
      variables,
      usage,
      [],
    );
    next = gather(gathered, data.repository.pullRequest);
  }
  const files = gathered.files.map(toChangedFile);
  if (renames) await resolveRenames(octokit, { owner: ref.owner, repo: ref.repo }, number, files, usage);
  return toBackfillPullRequest(gathered, files);
}

/** The REST shapes of a gathered pull request. */
function toBackfillPullRequest(gathered: Gathered, files: ChangedFile[]): BackfillPullRequest {
  const { node } = gathered;
  const pull = toPullRequestData(node, {
    labels: gathered.labels.map((l) => l.name),
    assignees: gathered.assignees,
    reviewRequests: [],
    commitCount: node.commits?.totalCount ?? gathered.commits.length,
  });
  return {
    pull: {
      ...pull,
      created_at: node.createdAt,
      updated_at: node.updatedAt,
      closed_at: node.closedAt,
      merged_at: node.mergedAt,
      merge_commit_sha: node.mergeCommit?.oid ?? null,
    },
    commits: gathered.commits.map((c) => toCommitInput(c.commit)),
    reviews: gathered.reviews.flatMap((r) => {
      const fact = toReviewFact(r);
      if (!fact) return [];
      return [
        {
          id: fact.id,
          user: { login: fact.login, type: fact.userType ?? 'User' },
          state: fact.state,
          submitted_at: fact.submittedAt,
          commit_id: fact.commitId,
        },
      ];
    }),
    timeline: gathered.timeline.flatMap((t) => toHistoryEvent(t) ?? []),
    files,
  };
}
