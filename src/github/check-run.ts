/**
 * Writes the `ai-review` check run on a head SHA: updates this app's run instead of creating a second one, and
 * writes nothing when the conclusion and output are unchanged.
 *
 * No read before a write: the run's id and a hash of its last output are kept per head SHA in the pipeline's store
 * (shared by replicas), so a re-evaluation creates, updates or skips directly. When the store has no entry for the
 * head SHA (its first evaluation, or a wiped store), the run the facts query found on the head commit
 * (`options.existing`, GraphQL) is used; only when that is unknown is the run looked up on GitHub (REST "List check
 * runs for a Git reference"), so a lost entry never leads to a second run. An entry whose run was deleted on GitHub
 * (the update answers 404) is dropped and the run created again.
 */
import { createHash } from 'node:crypto';
import { CHECK_NAME, type CheckRunContent } from '../gate/summary.js';
import type { PipelineState } from '../queue/types.js';
import type { Octokit, RepoRef } from './facts.js';
import type { ExistingCheckRun } from './graphql/index.js';

/** What happened to the check run. */
export type CheckRunWrite = { action: 'created' | 'updated' | 'unchanged'; checkRunId: number };

/** Where this app keeps its check run's id and output hash per head SHA (the pipeline state). */
export type CheckRunStore = Pick<PipelineState, 'checkRunFor' | 'saveCheckRun'>;

/** Options of the writes: this app's id (to recognise its runs), the store of run ids, a clock for tests. */
export interface CheckRunWriteOptions {
  appId?: number;
  store?: CheckRunStore;
  now?: () => Date;
  /**
   * This app's latest `ai-review` run on the head SHA as the facts query read it (null: none); undefined: not known,
   * looked up through REST when the store has no entry.
   */
  existing?: ExistingCheckRun | null;
}

/** Store key of a head SHA's run. */
export function checkRunKey(ref: RepoRef, headSha: string): string {
  return `${ref.owner}/${ref.repo}@${headSha}`.toLowerCase();
}

/**
 * `store`, except that the first lookup of `key` is answered with `stored`, the entry read beforehand with the
 * job's state (`PipelineState.readJobState`), so that the write needs no read of its own. Once `key` was looked
 * up or saved, `store` answers. Null `key`: `store` itself.
 */
export function withStoredCheckRun(
  store: CheckRunStore,
  key: string | null,
  stored: { id: number; outputHash: string } | null,
): CheckRunStore {
  if (key === null) return store;
  let fresh = true;
  return {
    checkRunFor: (k) => {
      if (k !== key || !fresh) return store.checkRunFor(k);
      fresh = false;
      return Promise.resolve(stored);
    },
    saveCheckRun: (k, ...rest) => {
      if (k === key) fresh = false;
      return store.saveCheckRun(k, ...rest);
    },
  };
}

/** A hash of what a completed run shows (status, conclusion, title, summary). */
export function outputHash(content: CheckRunContent): string {
  return createHash('sha256')
    .update(JSON.stringify(['completed', content.conclusion, content.output.title, content.output.summary]))
    .digest('hex');
}

const IN_PROGRESS_HASH = 'in_progress';

/** Creates, updates or leaves the run on `headSha` so that it shows `content`. See module docs. */
export async function writeCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  headSha: string,
  content: CheckRunContent,
  options: CheckRunWriteOptions = {},
): Promise<CheckRunWrite> {
  const now = options.now ?? (() => new Date());
  const hash = outputHash(content);
  const key = checkRunKey(ref, headSha);
  const body = { status: 'completed' as const, conclusion: content.conclusion, completed_at: now().toISOString(), output: content.output };
  const stored = options.store ? await options.store.checkRunFor(key) : null;
  let existingId: number | null = null;
  if (stored) {
    if (stored.outputHash === hash) return { action: 'unchanged', checkRunId: stored.id };
    existingId = stored.id;
  } else {
    const existing = options.existing !== undefined ? options.existing : await findCheckRun(octokit, ref, headSha, options.appId);
    if (existing) {
      const shown = outputHash({
        conclusion: existing.conclusion as CheckRunContent['conclusion'],
        output: { title: existing.title, summary: existing.summary },
      });
      if (existing.status === 'completed' && shown === hash) {
        await options.store?.saveCheckRun(key, existing.id, hash, now());
        return { action: 'unchanged', checkRunId: existing.id };
      }
      existingId = existing.id;
    }
  }
  if (existingId !== null) {
    try {
      await octokit.rest.checks.update({ ...ref, check_run_id: existingId, ...body });
      await options.store?.saveCheckRun(key, existingId, hash, now());
      return { action: 'updated', checkRunId: existingId };
    } catch (error) {
      // The run was deleted on GitHub (or belongs to a wiped installation): create it again.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  const { data: created } = await octokit.rest.checks.create({ ...ref, name: CHECK_NAME, head_sha: headSha, ...body });
  await options.store?.saveCheckRun(key, created.id, hash, now());
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
  options: CheckRunWriteOptions = {},
): Promise<number> {
  const key = checkRunKey(ref, headSha);
  const stored = options.store ? await options.store.checkRunFor(key) : null;
  const existingId =
    stored?.id ??
    (options.existing !== undefined ? options.existing : await findCheckRun(octokit, ref, headSha, options.appId))?.id ??
    null;
  const body = {
    status: 'in_progress' as const,
    output: {
      title: 'Waiting for GitHub to answer',
      summary:
        "GitHub answered with a transient error while the gate gathered this pull request's facts. ai-review retries on its own and reports here; this check is not green until then.",
    },
  };
  let id: number;
  if (existingId !== null) {
    await octokit.rest.checks.update({ ...ref, check_run_id: existingId, ...body });
    id = existingId;
  } else {
    id = (await octokit.rest.checks.create({ ...ref, name: CHECK_NAME, head_sha: headSha, ...body })).data.id;
  }
  await options.store?.saveCheckRun(key, id, IN_PROGRESS_HASH, (options.now ?? (() => new Date()))());
  return id;
}

/** This app's latest `ai-review` check run on `headSha` (REST), or null. */
async function findCheckRun(octokit: Octokit, ref: RepoRef, headSha: string, appId: number | undefined): Promise<ExistingCheckRun | null> {
  const { data } = await octokit.rest.checks.listForRef({
    ...ref,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: 'latest',
    per_page: 100,
    ...(appId ? { app_id: appId } : {}),
  });
  const run = data.check_runs.filter((r) => r.name === CHECK_NAME && (!appId || r.app?.id === appId)).sort((a, b) => b.id - a.id)[0];
  return run
    ? { id: run.id, status: run.status, conclusion: run.conclusion, title: run.output?.title ?? '', summary: run.output?.summary ?? '' }
    : null;
}
