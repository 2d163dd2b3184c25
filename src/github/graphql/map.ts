/**
 * GraphQL nodes → the REST-shaped facts the core and the REST loaders use (src/github/facts.ts): `PullRequestData`,
 * `ChangedFile`, `CommitInput`, `ReviewFact`, `TimelineEventInput`, `CommentFact`. Pure.
 *
 * Accounts: GraphQL gives a bot's login without `[bot]` (`github-actions`), REST with it (`github-actions[bot]`); the
 * exceptions GitHub makes (the Copilot coding agent is REST login `Copilot`, id 198982749) are taken from the
 * built-in catalog by numeric id. `databaseId` is the REST `id`, `__typename` the REST `type`.
 */
import { BUILTIN_CATALOG } from '../../authorship/catalog.js';
import type { AccountInput, CommitInput, TimelineEventInput } from '../../authorship/types.js';
import type { CommentFact, ReviewFact, ReviewState } from '../../gate/types.js';
import type { ChangedFile } from '../../paths/match.js';
import type { PullRequestData } from '../facts.js';

/** An `Actor` as the `Account` fragment selects it. */
export interface ActorNode {
  __typename: string;
  login: string;
  databaseId?: number | null;
}

/** A `RequestedReviewer` as the `Reviewer` fragment selects it. */
export interface ReviewerNode {
  __typename: string;
  login?: string;
  databaseId?: number | null;
  slug?: string;
}

export interface GitActorNode {
  name: string | null;
  email: string | null;
  user: { login: string; databaseId: number | null } | null;
}

export interface CommitNode {
  oid: string;
  message: string;
  authoredDate: string;
  committedDate: string;
  author: GitActorNode | null;
  committer: GitActorNode | null;
  signature: { isValid: boolean; state: string } | null;
}

export interface ReviewNode {
  fullDatabaseId: string | number | null;
  state: string;
  submittedAt: string | null;
  commit: { oid: string } | null;
  author: ActorNode | null;
  authorCanPushToRepository?: boolean;
}

export interface TimelineNode {
  __typename: string;
  createdAt?: string;
  updatedAt?: string;
  actor?: ActorNode | null;
  author?: ActorNode | null;
  label?: { name: string };
  requestedReviewer?: ReviewerNode | null;
  fullDatabaseId?: string | number | null;
  body?: string;
  /** `HeadRefForcePushedEvent`: the head after the force-push. */
  afterCommit?: { oid: string } | null;
  /** `ReviewDismissedEvent`: the dismissed review and its state before. */
  review?: { fullDatabaseId: string | number | null } | null;
  previousReviewState?: string;
  /** `AssignedEvent`: the account assigned. */
  assignee?: ReviewerNode | null;
}

/** The pull request's own fields as the loader selects them, with its first pages of labels, assignees and requests. */
export interface PullRequestNode {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  isDraft: boolean;
  title: string;
  body: string;
  url: string;
  createdAt: string;
  changedFiles: number;
  additions: number;
  deletions: number;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  baseRefOid: string;
  author: ActorNode | null;
}

/** Catalog bot accounts whose REST login is not `<slug>[bot]`, by numeric id (e.g. 198982749 → `Copilot`). */
const EXCEPTIONAL_BOT_LOGINS: ReadonlyMap<number, string> = (() => {
  const out = new Map<number, string>();
  for (const entry of BUILTIN_CATALOG) {
    for (const account of entry.accounts) {
      if (account.type === 'Bot' && account.id !== undefined && !account.login.endsWith('[bot]') && !out.has(account.id))
        out.set(account.id, account.login);
    }
  }
  return out;
})();

/** The REST login of a bot from its GraphQL login and id. */
function restBotLogin(login: string, id: number | null): string {
  const exceptional = id !== null ? EXCEPTIONAL_BOT_LOGINS.get(id) : undefined;
  if (exceptional !== undefined) return exceptional;
  return login.endsWith('[bot]') ? login : `${login}[bot]`;
}

/** REST `type` of an actor: its GraphQL type, `User` for enterprise user accounts. */
const restType = (typename: string): string => (typename === 'EnterpriseUserAccount' ? 'User' : typename);

/** An actor as a REST account (`{login, id, type}`), or null. */
export function toAccount(actor: ActorNode | ReviewerNode | null | undefined): { login: string; id: number | null; type: string } | null {
  if (!actor?.login) return null;
  const id = actor.databaseId ?? null;
  const login = actor.__typename === 'Bot' ? restBotLogin(actor.login, id) : actor.login;
  return { login, id, type: restType(actor.__typename) };
}

/** REST `status` of a GraphQL `PatchStatus`. */
const PATCH_STATUS: Record<string, string> = {
  ADDED: 'added',
  DELETED: 'removed',
  MODIFIED: 'modified',
  RENAMED: 'renamed',
  COPIED: 'copied',
  CHANGED: 'changed',
};

/** A changed file; `previous_filename` is unknown here (null) and filled from REST for renames when needed. */
export function toChangedFile(node: { path: string; changeType: string }): ChangedFile {
  return { filename: node.path, status: PATCH_STATUS[node.changeType] ?? node.changeType.toLowerCase(), previous_filename: null };
}

/** REST `verification.reason` of a GraphQL `GitSignatureState` (same words, except two abbreviations). */
function verificationReason(state: string): string {
  if (state === 'MALFORMED_SIG') return 'malformed_signature';
  if (state === 'UNKNOWN_SIG_TYPE') return 'unknown_signature_type';
  return state.toLowerCase();
}

/**
 * The account REST links a git identity to: GraphQL's `user` (users only), else, for a bot's noreply address
 * (`<id>+<slug>[bot]@users.noreply.github.com`, or an id the catalog knows as a bot), that bot: GraphQL's `GitActor.user`
 * is typed `User` and is null for bots, while REST reports the bot as the commit's `author`/`committer`.
 */
function gitAccount(actor: GitActorNode | null): AccountInput | null {
  if (!actor) return null;
  if (actor.user) return { login: actor.user.login, id: actor.user.databaseId, type: 'User' };
  const m = /^(?:(\d+)\+)?([^@+]+)@users\.noreply\.github\.com$/i.exec(actor.email ?? '');
  if (!m) return null;
  const id = m[1] !== undefined ? Number(m[1]) : null;
  const login = m[2]!;
  if (login.toLowerCase().endsWith('[bot]')) return { login: restBotLogin(login, id), id, type: 'Bot' };
  const exceptional = id !== null ? EXCEPTIONAL_BOT_LOGINS.get(id) : undefined;
  return exceptional !== undefined ? { login: exceptional, id, type: 'Bot' } : null;
}

/** A commit in the shape of REST "List commits on a pull request". Dates are the UTC `authoredDate`/`committedDate`. */
export function toCommitInput(node: CommitNode): CommitInput {
  return {
    sha: node.oid,
    commit: {
      message: node.message,
      author: node.author ? { name: node.author.name, email: node.author.email, date: node.authoredDate } : null,
      committer: node.committer ? { name: node.committer.name, email: node.committer.email, date: node.committedDate } : null,
      verification: node.signature
        ? { verified: node.signature.isValid, reason: verificationReason(node.signature.state) }
        : { verified: false, reason: 'unsigned' },
    },
    author: gitAccount(node.author),
    committer: gitAccount(node.committer),
  };
}

/** A review as `ReviewFact` (`automated` false: the caller marks bots and agents), or null for a deleted author. */
export function toReviewFact(node: ReviewNode): ReviewFact | null {
  const account = toAccount(node.author);
  if (!account) return null;
  return {
    id: Number(node.fullDatabaseId ?? 0),
    login: account.login,
    userId: account.id,
    userType: account.type,
    automated: false,
    state: node.state as ReviewState,
    commitId: node.commit?.oid ?? null,
    submittedAt: node.submittedAt,
  };
}

/** REST `requested_reviewer` / `requested_team` of a review-request event. */
function requested(reviewer: ReviewerNode | null | undefined): Pick<TimelineEventInput, 'requested_reviewer' | 'requested_team'> {
  return {
    requested_reviewer: reviewer?.__typename === 'Team' ? null : toAccount(reviewer),
    requested_team: reviewer?.__typename === 'Team' && reviewer.slug ? { slug: reviewer.slug } : null,
  };
}

/** A label or review-request timeline item as a REST timeline event, or null for other items (comments). */
export function toTimelineEvent(node: TimelineNode): TimelineEventInput | null {
  const actor = toAccount(node.actor);
  if (node.__typename === 'LabeledEvent' || node.__typename === 'UnlabeledEvent') {
    return {
      event: node.__typename === 'LabeledEvent' ? 'labeled' : 'unlabeled',
      actor,
      label: { name: node.label?.name ?? null },
      created_at: node.createdAt ?? null,
    };
  }
  if (node.__typename === 'ReviewRequestedEvent') {
    return { event: 'review_requested', actor, ...requested(node.requestedReviewer), created_at: node.createdAt ?? null };
  }
  return null;
}

/** REST `event` of the lifecycle timeline items the backfill reads, by GraphQL type. */
const HISTORY_EVENT: Record<string, string> = {
  ReadyForReviewEvent: 'ready_for_review',
  ConvertToDraftEvent: 'convert_to_draft',
  ClosedEvent: 'closed',
  ReopenedEvent: 'reopened',
  ReviewRequestRemovedEvent: 'review_request_removed',
  HeadRefForcePushedEvent: 'head_ref_force_pushed',
  ReviewDismissedEvent: 'review_dismissed',
  AssignedEvent: 'assigned',
};

/** A REST timeline event with the fields of the lifecycle events (REST "List timeline events for an issue"). */
export interface HistoryEvent extends TimelineEventInput {
  /** `head_ref_force_pushed`: the new head. */
  commit_id?: string | null;
  /** `review_dismissed`: the review's REST id and its state before the dismissal (lower case, as REST gives it). */
  dismissed_review?: { review_id: number | null; state: string | null } | null;
}

/**
 * A timeline item as the REST timeline event the backfill records (src/metrics/backfill.ts): the items of
 * {@link toTimelineEvent} and the lifecycle events (ready for review, draft, closed, reopened, review request removed,
 * force-push, review dismissed, assigned), or null for other items.
 */
export function toHistoryEvent(node: TimelineNode): HistoryEvent | null {
  const known = toTimelineEvent(node);
  if (known) return known;
  const event = HISTORY_EVENT[node.__typename];
  if (event === undefined) return null;
  const base: HistoryEvent = { event, actor: toAccount(node.actor), created_at: node.createdAt ?? null };
  if (node.__typename === 'ReviewRequestRemovedEvent') {
    return { ...base, ...requested(node.requestedReviewer) };
  }
  if (node.__typename === 'HeadRefForcePushedEvent') return { ...base, commit_id: node.afterCommit?.oid ?? null };
  if (node.__typename === 'ReviewDismissedEvent') {
    const id = node.review?.fullDatabaseId;
    return {
      ...base,
      dismissed_review: {
        review_id: id === null || id === undefined ? null : Number(id),
        state: node.previousReviewState?.toLowerCase() ?? null,
      },
    };
  }
  if (node.__typename === 'AssignedEvent') return { ...base, assignee: toAccount(node.assignee) };
  return base;
}

/** A PR comment as `CommentFact`, or null for other items or a deleted author. */
export function toCommentFact(node: TimelineNode): CommentFact | null {
  if (node.__typename !== 'IssueComment') return null;
  const account = toAccount(node.author);
  if (!account || node.createdAt === undefined) return null;
  return {
    id: Number(node.fullDatabaseId ?? 0),
    login: account.login,
    body: node.body ?? '',
    createdAt: node.createdAt,
    updatedAt: node.updatedAt ?? null,
  };
}

/** An account as `PullRequestData` types it (`id` omitted when unknown). */
function prAccount(actor: ActorNode | ReviewerNode | null | undefined): { login: string; id?: number; type: string } | null {
  const account = toAccount(actor);
  if (!account) return null;
  return { login: account.login, type: account.type, ...(account.id !== null ? { id: account.id } : {}) };
}

/** The pull request in the shape of REST "Get a pull request" (the fields `PullRequestData` names). */
export function toPullRequestData(
  node: PullRequestNode,
  lists: { labels: string[]; assignees: ActorNode[]; reviewRequests: Array<ReviewerNode | null>; commitCount: number },
): PullRequestData {
  const requested = lists.reviewRequests.filter((r): r is ReviewerNode => r !== null);
  const users = requested.filter((r) => r.__typename !== 'Team').flatMap((r) => prAccount(r) ?? []);
  return {
    number: node.number,
    state: node.state === 'OPEN' ? 'open' : 'closed',
    draft: node.isDraft,
    title: node.title,
    body: node.body,
    user: prAccount(node.author),
    head: { sha: node.headRefOid, ref: node.headRefName },
    base: { ref: node.baseRefName, sha: node.baseRefOid },
    labels: lists.labels.map((name) => ({ name })),
    assignees: lists.assignees.flatMap((a) => prAccount(a) ?? []),
    requested_reviewers: users.map((u) => ({ login: u.login })),
    requested_teams: requested.filter((r) => r.__typename === 'Team' && r.slug).map((r) => ({ slug: r.slug! })),
    changed_files: node.changedFiles,
    commits: lists.commitCount,
    additions: node.additions,
    deletions: node.deletions,
    html_url: node.url,
    created_at: node.createdAt,
  };
}
