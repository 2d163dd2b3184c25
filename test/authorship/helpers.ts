/** Builders of classifier inputs in GitHub REST shapes, for the table-driven tests. */
import type { AccountInput, AuthorshipInput, CommitInput, PullRequestInput, TimelineEventInput } from '../../src/authorship/types.js';

export const HUMAN: AccountInput = { login: 'octocat', id: 583231, type: 'User' };

let shaCounter = 0;
/** A unique 40-hex sha. */
export function sha(): string {
  shaCounter++;
  return shaCounter.toString(16).padStart(40, '0');
}

/** A commit by `name <email>` (git identity) with an optional linked GitHub account and verification. */
export function commit(opts: {
  message?: string;
  name?: string;
  email?: string;
  committerName?: string;
  committerEmail?: string;
  author?: AccountInput | null;
  committer?: AccountInput | null;
  verified?: boolean;
  sha?: string;
}): CommitInput {
  return {
    sha: opts.sha ?? sha(),
    commit: {
      message: opts.message ?? 'Change something',
      author: { name: opts.name ?? 'Octo Cat', email: opts.email ?? 'octocat@example.com', date: '2025-06-01T10:00:00Z' },
      committer: {
        name: opts.committerName ?? opts.name ?? 'Octo Cat',
        email: opts.committerEmail ?? opts.email ?? 'octocat@example.com',
        date: '2025-06-01T10:00:00Z',
      },
      verification: { verified: opts.verified ?? false, reason: opts.verified ? 'valid' : 'unsigned' },
    },
    author: opts.author === undefined ? HUMAN : opts.author,
    committer: opts.committer === undefined ? HUMAN : opts.committer,
  };
}

/** A PR by `user` (default a human) with the given fields and commits (default one human commit). */
export function pr(
  fields: Partial<PullRequestInput> = {},
  commits: CommitInput[] = [commit({})],
  timeline?: TimelineEventInput[],
): AuthorshipInput {
  return {
    pull_request: {
      number: 42,
      title: 'Fix the thing',
      body: 'This fixes the thing.',
      user: HUMAN,
      head: { ref: 'fix-the-thing' },
      labels: [],
      assignees: [],
      html_url: 'https://github.com/acme/widgets/pull/42',
      created_at: '2025-06-01T10:00:00Z',
      ...fields,
    },
    commits,
    ...(timeline ? { timeline } : {}),
  };
}
