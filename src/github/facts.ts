/**
 * The REST shapes of a pull request's facts that the core reads (the GraphQL loader in src/github/graphql maps its
 * answers onto them), GitHub's listing limits, and small pure helpers over those shapes.
 */
import type { ProbotOctokit } from 'probot';
import type { AuthorshipInput, CommitInput, TimelineEventInput } from '../authorship/types.js';
import type { LabelEventFact } from '../gate/types.js';

export type Octokit = InstanceType<typeof ProbotOctokit>;

/** A repository's coordinates. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * GitHub's list limits: "List pull requests files" returns at most 3000 files and "List commits on a pull
 * request" at most 250 commits (REST docs, "pulls"). Past them the gate cannot see the whole PR and fails closed.
 */
export const MAX_LISTED_FILES = 3000;
export const MAX_LISTED_COMMITS = 250;

/** Why a PR with more files than GitHub lists cannot be evaluated (the `failure` check run's text). */
export function tooManyFilesMessage(changedFiles: number): string {
  return `This pull request changes ${changedFiles} files. GitHub lists at most ${MAX_LISTED_FILES} files of a pull request, so the gate cannot see which paths it touches. Split it into smaller pull requests.`;
}

/** Why a PR with more commits than GitHub lists cannot be evaluated (the `failure` check run's text). */
export function tooManyCommitsMessage(commits: number): string {
  return `This pull request has ${commits} commits. GitHub lists at most ${MAX_LISTED_COMMITS} commits of a pull request, so the gate cannot tell who wrote all of them. Squash or split it.`;
}

/** The fields of a REST pull request object the app reads (webhook `pull_request` or REST "Get a pull request"). */
export interface PullRequestData {
  number: number;
  state?: string;
  draft?: boolean;
  title?: string | null;
  body?: string | null;
  user: { login: string; id?: number; type?: string } | null;
  head: { sha: string; ref?: string };
  base?: { ref?: string; sha?: string };
  labels?: Array<{ name?: string } | string>;
  assignees?: Array<{ login: string; id?: number; type?: string }> | null;
  requested_reviewers?: Array<{ login: string }> | null;
  requested_teams?: Array<{ slug: string }> | null;
  changed_files?: number;
  commits?: number;
  additions?: number;
  deletions?: number;
  html_url?: string;
  created_at?: string;
}

/** Label events for one label, from timeline events. */
export function labelEvents(timeline: readonly TimelineEventInput[], label: string): LabelEventFact[] {
  const out: LabelEventFact[] = [];
  for (const e of timeline) {
    if ((e.event !== 'labeled' && e.event !== 'unlabeled') || !e.label?.name || !e.actor?.login || !e.created_at) continue;
    if (e.label.name.toLowerCase() !== label.toLowerCase()) continue;
    out.push({ action: e.event, label: e.label.name, actor: e.actor.login, at: e.created_at });
  }
  return out;
}

/** Label names of a PR (webhook payloads give objects, some tools give strings). */
export function labelNames(pr: PullRequestData): string[] {
  return (pr.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((l) => l !== '');
}

/** The authorship classifier's input for a PR and its commits (REST shapes), as the evaluation classifies it. */
export function authorshipInput(pr: PullRequestData, commits: CommitInput[]): AuthorshipInput {
  return {
    pull_request: {
      number: pr.number,
      title: pr.title ?? null,
      body: pr.body ?? null,
      user: pr.user,
      head: { ref: pr.head.ref ?? null },
      labels: labelNames(pr).map((name) => ({ name })),
      assignees: pr.assignees ?? [],
      html_url: pr.html_url ?? null,
      created_at: pr.created_at ?? null,
    },
    commits,
  };
}
