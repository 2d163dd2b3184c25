/**
 * Writes the `ai-review` check run on a head SHA: updates this app's existing run instead of creating a new one,
 * and writes nothing when the conclusion and output are unchanged.
 */
import { CHECK_NAME, type CheckRunContent } from '../gate/summary.js';
import type { Octokit, RepoRef } from './facts.js';

/** What happened to the check run. */
export type CheckRunWrite = { action: 'created' | 'updated' | 'unchanged'; checkRunId: number };

/**
 * Finds this app's latest `ai-review` check run on `headSha` (REST "List check runs for a Git reference",
 * filtered by name and, when known, by app id) and creates, updates or leaves it. `now` is for tests.
 */
export async function writeCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  headSha: string,
  content: CheckRunContent,
  options: { appId?: number; now?: () => Date } = {},
): Promise<CheckRunWrite> {
  const now = options.now ?? (() => new Date());
  const existing = await findCheckRun(octokit, ref, headSha, options.appId);
  if (
    existing &&
    existing.status === 'completed' &&
    existing.conclusion === content.conclusion &&
    existing.output?.title === content.output.title &&
    existing.output?.summary === content.output.summary
  ) {
    return { action: 'unchanged', checkRunId: existing.id };
  }
  const body = {
    status: 'completed' as const,
    conclusion: content.conclusion,
    completed_at: now().toISOString(),
    output: content.output,
  };
  if (existing) {
    await octokit.rest.checks.update({ ...ref, check_run_id: existing.id, ...body });
    return { action: 'updated', checkRunId: existing.id };
  }
  const { data: created } = await octokit.rest.checks.create({ ...ref, name: CHECK_NAME, head_sha: headSha, ...body });
  return { action: 'created', checkRunId: created.id };
}

/**
 * Marks the check run on `headSha` as in progress (created when missing), so that a PR whose evaluation is being
 * retried never shows a stale green. Output: the check run id.
 */
export async function writeCheckRunInProgress(
  octokit: Octokit,
  ref: RepoRef,
  headSha: string,
  options: { appId?: number } = {},
): Promise<number> {
  const existing = await findCheckRun(octokit, ref, headSha, options.appId);
  const body = {
    status: 'in_progress' as const,
    output: {
      title: 'Waiting for GitHub to answer',
      summary:
        "GitHub answered with a transient error while the gate gathered this pull request's facts. ai-review retries on its own and reports here; this check is not green until then.",
    },
  };
  if (existing) {
    await octokit.rest.checks.update({ ...ref, check_run_id: existing.id, ...body });
    return existing.id;
  }
  const { data } = await octokit.rest.checks.create({ ...ref, name: CHECK_NAME, head_sha: headSha, ...body });
  return data.id;
}

/** This app's latest `ai-review` check run on `headSha`, or undefined. */
async function findCheckRun(octokit: Octokit, ref: RepoRef, headSha: string, appId: number | undefined) {
  const { data } = await octokit.rest.checks.listForRef({
    ...ref,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: 'latest',
    per_page: 100,
    ...(appId ? { app_id: appId } : {}),
  });
  return data.check_runs.filter((run) => run.name === CHECK_NAME && (!appId || run.app?.id === appId)).sort((a, b) => b.id - a.id)[0];
}
