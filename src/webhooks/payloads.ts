/**
 * The zod shapes of the GitHub webhook payloads the app reads: the one description of each event, used by the
 * webhook path (`src/github/deliveries.ts`, which turns a delivery into jobs) and by metrics (`src/metrics/derive.ts`,
 * which derives PR facts from recorded deliveries). Payloads are untrusted: strings are bounded where they are defined.
 *
 * Each object of a payload is described once (a base shape below: every field some reader uses, as that reader needs
 * it). The two readers then take narrow views of it, at the end of this module:
 * - {@link gatePayloads}: the fields the webhook path reads, with the installation and the repository's owner and name
 *   required. A delivery that fails its view is rejected with HTTP 400 (`parsePayload` in `src/github/payloads.ts`).
 * - {@link metricsPayloads}: the fields metrics read, with `full_name` required. A delivery that fails its view is
 *   ignored with the failing field's path as the reason.
 *
 * A view picks the fields its reader uses, so neither rejects a payload for a field only the other reads. Unknown
 * fields are left out of a view's output (zod's default for objects): a reader sees only what it declared, and a
 * parse does not copy the rest of a 20 KB payload (measured: both views of a `pull_request` delivery 28 → 6 µs).
 */
import { z } from 'zod';

// ---- fields ------------------------------------------------------------------------------------------------

/** `owner/name`: the form of `repository.full_name` (no slashes, spaces or control characters in either part). */
export const REPOSITORY_FULL_NAME = /^[\w.-]+\/[\w.-]+$/;

const login = z.string().max(256);
/** A commit SHA (40 hex digits for SHA-1, 64 for SHA-256 repositories). */
const sha = z.string().max(64);
const gitRef = z.string().max(512);
const count = z.number().int().nonnegative();
/** Any date `Date.parse` reads, normalised to ISO 8601 UTC. */
const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date')
  .transform((s) => new Date(s).toISOString());

// ---- base shapes: each object once -------------------------------------------------------------------------

const Account = z.object({ login, id: z.number().optional(), type: z.string().max(64).optional() });

const Installation = z.object({ id: z.number() });

const Repository = z.object({
  name: z.string(),
  owner: z.object({ login }),
  full_name: z.string().regex(REPOSITORY_FULL_NAME),
  default_branch: z.string().max(256).optional(),
});

const PullRequestHead = z.object({ ref: gitRef, sha });

const PullRequest = z.object({
  number: z.number().int().positive(),
  title: z.string().nullable().optional(),
  body: z.string().nullable().optional(),
  user: Account.nullable(),
  draft: z.boolean().optional(),
  created_at: isoDate,
  updated_at: isoDate.nullable().optional(),
  closed_at: isoDate.nullable().optional(),
  merged_at: isoDate.nullable().optional(),
  merged: z.boolean().nullable().optional(),
  merge_commit_sha: sha.nullable().optional(),
  head: PullRequestHead,
  base: z.object({ ref: gitRef }),
  additions: count.optional(),
  deletions: count.optional(),
  changed_files: count.optional(),
});

const Review = z.object({
  id: z.number().int(),
  user: Account.nullable().optional(),
  /** GitHub sends `APPROVED` in webhooks and `approved` elsewhere: lower-cased here. */
  state: z.string().transform((s) => s.toLowerCase()),
  submitted_at: isoDate.nullable().optional(),
  commit_id: sha.nullable().optional(),
});

const PushCommit = z.object({
  id: sha,
  message: z.string().optional(),
  timestamp: isoDate.optional(),
  added: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
});

/** The fields every event carries. */
const envelope = { repository: Repository, sender: Account.nullable().optional(), installation: Installation };

const PullRequestEvent = z.object({
  action: z.string(),
  pull_request: PullRequest,
  ...envelope,
  /** `synchronize`: the head before and after the push. */
  before: sha.optional(),
  after: sha.optional(),
  /** `review_requested` / `review_request_removed`: a user or a team. */
  requested_reviewer: z.object({ login }).nullable().optional(),
  requested_team: z
    .object({ slug: z.string().regex(/^[\w.-]{1,100}$/) })

    .nullable()
    .optional(),
});

const PullRequestReviewEvent = z.object({ action: z.string(), pull_request: PullRequest, review: Review, ...envelope });

const PushEvent = z.object({
  ref: gitRef,
  before: sha,
  after: sha,
  forced: z.boolean().optional(),
  deleted: z.boolean().optional(),
  commits: z.array(PushCommit).optional(),
  head_commit: PushCommit.nullable().optional(),
  ...envelope,
});

const CheckRunEvent = z.object({
  action: z.string(),
  check_run: z.object({
    name: z.string(),
    head_sha: sha,
    app: z.object({ id: z.number() }).nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number() })).default([]),
  }),
  ...envelope,
});

const MergeGroupEvent = z.object({
  action: z.string(),
  merge_group: z.object({ head_sha: sha.min(7), head_ref: z.string() }),
  ...envelope,
});

const IssueCommentEvent = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).nullable().optional() }),
  ...envelope,
});

// ---- the webhook path's view: what queuing the gate's work needs --------------------------------------------

/** The installation to act as and the repository's owner and name (the default branch for pushes); a sender is never null. */
const gateEnvelope = {
  repository: Repository.pick({ name: true, owner: true, default_branch: true }),
  sender: Account.optional(),
  installation: Installation,
};

/** The changed paths of a pushed commit (does it touch the configuration file?). */
const gatePushCommit = PushCommit.pick({ added: true, modified: true, removed: true });

/**
 * The shapes the webhook path validates before queuing work; a payload that fails is rejected with HTTP 400.
 * `pullRequest` serves `pull_request_review` deliveries too (the PR and the envelope are all the path reads of them).
 */
export const gatePayloads = {
  pullRequest: PullRequestEvent.pick({ action: true }).extend({
    // The head SHA is where the check run goes: a full or abbreviated SHA, never shorter than 7.
    pull_request: PullRequest.pick({ number: true, user: true }).extend({
      head: PullRequestHead.pick({ sha: true }).extend({ sha: sha.min(7) }),
    }),
    ...gateEnvelope,
  }),
  checkRun: CheckRunEvent.extend(gateEnvelope),
  push: PushEvent.pick({ ref: true }).extend({
    commits: z.array(gatePushCommit).default([]),
    head_commit: gatePushCommit.nullable().optional(),
    ...gateEnvelope,
  }),
  mergeGroup: MergeGroupEvent.extend(gateEnvelope),
  issueComment: IssueCommentEvent.extend(gateEnvelope),
};

// ---- metrics' view: what deriving PR facts needs -------------------------------------------------------------

/** Metrics key everything by `full_name`; they never act on the installation. */
const metricsRepository = Repository.pick({ full_name: true, default_branch: true });
/** A PR whose author is unknown (a synthetic backfill payload) still has facts. */
const metricsPullRequest = PullRequest.partial({ user: true });

/** The shapes metrics derive facts from; a payload that fails is ignored with the failing field's path. */
export const metricsPayloads = {
  pullRequest: PullRequestEvent.omit({ installation: true }).extend({ pull_request: metricsPullRequest, repository: metricsRepository }),
  review: PullRequestReviewEvent.omit({ installation: true }).extend({
    action: z.enum(['submitted', 'edited', 'dismissed']),
    pull_request: metricsPullRequest,
    repository: metricsRepository,
  }),
  push: PushEvent.pick({ ref: true, before: true, after: true, forced: true, deleted: true, sender: true }).extend({
    repository: metricsRepository,
    commits: z.array(PushCommit.pick({ id: true, message: true, timestamp: true })).optional(),
  }),
};

/** A pull request as metrics read it (dates normalised to ISO 8601). */
export type MetricsPullRequest = z.output<typeof metricsPullRequest>;
