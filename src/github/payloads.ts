/**
 * Minimal zod shapes of the webhook payloads the handlers read. A delivery that lacks these fields is rejected
 * (HTTP 400) with a log line naming the delivery; everything else in a payload is ignored.
 */
import { z } from 'zod';

const account = z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }).passthrough();

export const RepositoryPayload = z
  .object({
    name: z.string(),
    owner: z.object({ login: z.string() }).passthrough(),
    default_branch: z.string().optional(),
  })
  .passthrough();

export const PullRequestPayload = z
  .object({
    number: z.number().int().positive(),
    user: account.nullable(),
    head: z.object({ sha: z.string().min(7), ref: z.string().optional() }).passthrough(),
  })
  .passthrough();

export const PullRequestEventPayload = z
  .object({
    action: z.string(),
    pull_request: PullRequestPayload,
    repository: RepositoryPayload,
    sender: account.optional(),
    installation: z.object({ id: z.number() }).passthrough(),
  })
  .passthrough();

export const CheckRunEventPayload = z
  .object({
    action: z.string(),
    check_run: z
      .object({
        name: z.string(),
        head_sha: z.string(),
        app: z.object({ id: z.number() }).passthrough().nullable().optional(),
        pull_requests: z.array(z.object({ number: z.number() }).passthrough()).default([]),
      })
      .passthrough(),
    repository: RepositoryPayload,
    sender: account.optional(),
    installation: z.object({ id: z.number() }).passthrough(),
  })
  .passthrough();

const pushCommit = z
  .object({
    added: z.array(z.string()).optional(),
    modified: z.array(z.string()).optional(),
    removed: z.array(z.string()).optional(),
  })
  .passthrough();

export const PushEventPayload = z
  .object({
    ref: z.string(),
    repository: RepositoryPayload,
    commits: z.array(pushCommit).default([]),
    head_commit: pushCommit.nullable().optional(),
    sender: account.optional(),
    installation: z.object({ id: z.number() }).passthrough(),
  })
  .passthrough();

export const MergeGroupEventPayload = z
  .object({
    action: z.string(),
    merge_group: z.object({ head_sha: z.string().min(7), head_ref: z.string() }).passthrough(),
    repository: RepositoryPayload,
    sender: account.optional(),
    installation: z.object({ id: z.number() }).passthrough(),
  })
  .passthrough();

export const IssueCommentEventPayload = z
  .object({
    action: z.string(),
    issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).passthrough().nullable().optional() }).passthrough(),
    repository: RepositoryPayload,
    sender: account.optional(),
    installation: z.object({ id: z.number() }).passthrough(),
  })
  .passthrough();

/** An error that the webhook middleware turns into an HTTP status (here 400: the payload lacks needed fields). */
export class PayloadError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** Validates a payload; throws {@link PayloadError} naming the first missing or wrong field. */
export function parsePayload<T extends z.ZodTypeAny>(schema: T, payload: unknown, event: string): z.output<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(`${event} payload rejected: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
