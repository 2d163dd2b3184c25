/**
 * Fetches the facts of one pull request from the GitHub REST API, once per evaluation, 100 items a page.
 * Every function here takes an Octokit (installation-authenticated) and returns plain data for the core.
 */
import type { ProbotOctokit } from 'probot';
import type { AuthorshipInput, CommitInput, TimelineEventInput } from '../authorship/types.js';
import type { ChangedFile } from '../paths/match.js';
import { CODEOWNERS_LOCATIONS, CODEOWNERS_MAX_BYTES } from '../codeowners/index.js';
import { OVERRIDE_COMMAND } from '../gate/overrides.js';
import type { CodeownersFact, CommentFact, LabelEventFact, ReviewFact, ReviewState } from '../gate/types.js';

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

/** Lists the PR's changed files (with `previous_filename` for renames). */
export async function listChangedFiles(octokit: Octokit, ref: RepoRef, pullNumber: number): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...ref, pull_number: pullNumber, per_page: 100 });
  return files.map((f) => ({ filename: f.filename, status: f.status, previous_filename: f.previous_filename ?? null }));
}

/** Lists the PR's commits, oldest first, in the shape the authorship classifier reads. */
export async function listCommits(octokit: Octokit, ref: RepoRef, pullNumber: number): Promise<CommitInput[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { ...ref, pull_number: pullNumber, per_page: 100 });
  return commits.map((c) => ({
    sha: c.sha,
    commit: {
      message: c.commit.message,
      author: c.commit.author
        ? { name: c.commit.author.name ?? null, email: c.commit.author.email ?? null, date: c.commit.author.date ?? null }
        : null,
      committer: c.commit.committer
        ? { name: c.commit.committer.name ?? null, email: c.commit.committer.email ?? null, date: c.commit.committer.date ?? null }
        : null,
      verification: c.commit.verification ? { verified: c.commit.verification.verified, reason: c.commit.verification.reason } : null,
    },
    author: c.author && 'login' in c.author ? { login: c.author.login, id: c.author.id, type: c.author.type } : null,
    committer: c.committer && 'login' in c.committer ? { login: c.committer.login, id: c.committer.id, type: c.committer.type } : null,
  }));
}

/** Lists the PR's submitted reviews. `automated` is left false: the caller marks bots and agents. */
export async function listReviews(octokit: Octokit, ref: RepoRef, pullNumber: number): Promise<ReviewFact[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...ref, pull_number: pullNumber, per_page: 100 });
  return reviews
    .filter((r) => r.user)
    .map((r) => ({
      id: r.id,
      login: r.user!.login,
      userId: r.user!.id,
      userType: r.user!.type,
      automated: false,
      state: r.state as ReviewState,
      commitId: r.commit_id ?? null,
      submittedAt: r.submitted_at ?? null,
    }));
}

/**
 * Lists the members of a team given as `@org/slug`. Output: lower-case logins. A team that does not exist or that
 * the app cannot see (404) has no members; other API errors are thrown.
 */
export async function listTeamMembers(octokit: Octokit, team: string): Promise<{ members: string[]; found: boolean }> {
  const [org, slug] = team.replace(/^@/, '').split('/');
  try {
    const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, { org: org!, team_slug: slug!, per_page: 100 });
    return { members: members.map((m) => m.login.toLowerCase()), found: true };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { members: [], found: false };
    throw error;
  }
}

/** Whether a user has write access (permission `admin` or `write`; `maintain` reads as `write`) to the repository. */
export async function hasWriteAccess(octokit: Octokit, ref: RepoRef, login: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username: login });
    return data.permission === 'admin' || data.permission === 'write';
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/** The PR's timeline events (REST "List timeline events for an issue"), reduced to the fields the app reads. */
export async function listTimeline(octokit: Octokit, ref: RepoRef, pullNumber: number): Promise<TimelineEventInput[]> {
  const events = await octokit.paginate(octokit.rest.issues.listEventsForTimeline, { ...ref, issue_number: pullNumber, per_page: 100 });
  return events.map((e): TimelineEventInput => {
    const ev = e as Record<string, unknown>;
    const account = (v: unknown) => {
      const a = v as { login?: string; id?: number; type?: string } | null | undefined;
      return a && typeof a.login === 'string' ? { login: a.login, id: a.id ?? null, type: a.type ?? null } : null;
    };
    const label = ev.label as { name?: string } | undefined;
    const team = ev.requested_team as { slug?: string } | undefined;
    return {
      event: typeof ev.event === 'string' ? ev.event : null,
      actor: account(ev.actor),
      label: label ? { name: label.name ?? null } : null,
      assignee: account(ev.assignee),
      requested_reviewer: account(ev.requested_reviewer),
      requested_team: team?.slug ? { slug: team.slug } : null,
      created_at: typeof ev.created_at === 'string' ? ev.created_at : null,
    };
  });
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

/**
 * The PR's conversation comments that are `/ai-review` commands (REST "List issue comments", 100 a page), oldest
 * first. Other comments are dropped right away: their text is never kept or logged.
 */
export async function listOverrideComments(octokit: Octokit, ref: RepoRef, pullNumber: number): Promise<CommentFact[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: pullNumber, per_page: 100 });
  return comments
    .filter((c) => c.user && typeof c.body === 'string' && c.body.trimStart().startsWith(OVERRIDE_COMMAND))
    .map((c) => ({ id: c.id, login: c.user!.login, body: c.body!, createdAt: c.created_at, updatedAt: c.updated_at ?? null }));
}

/**
 * CODEOWNERS of the default branch, from GitHub's locations in GitHub's order (`.github/CODEOWNERS`, `CODEOWNERS`,
 * `docs/CODEOWNERS`; GitHub docs "About code owners"): the first that exists, or null when none does. A file
 * over GitHub's 3 MB limit is treated as absent, as GitHub does.
 */
export async function readCodeowners(octokit: Octokit, ref: RepoRef): Promise<CodeownersFact | null> {
  for (const path of CODEOWNERS_LOCATIONS) {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...ref, path, mediaType: { format: 'raw' } });
      if (typeof data !== 'string') continue;
      if (Buffer.byteLength(data) > CODEOWNERS_MAX_BYTES) return null;
      return { path, content: data };
    } catch (error) {
      if ((error as { status?: number }).status === 404) continue;
      throw error;
    }
  }
  return null;
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
