/**
 * Who pushed what after a given commit: decides when an approval goes stale (`review.stale_on_push`) and when a
 * comment override ends. Pure.
 *
 * A commit's pusher is the sender of the recorded push that brought it (the first push, in commit order, whose head
 * SHA is that commit or a later one); without such a push, the commit's identities stand in for the pusher: its
 * committer login, or its author login when the committer is unknown or `web-flow` (commits made on github.com).
 */
import type { EffectiveStaleOnPush } from '../config/load.js';
import type { GateFacts, PushFact } from './types.js';

const lower = (s: string): string => s.toLowerCase();

/** The committer GitHub uses for commits made in its web interface; the author is the person then. */
export const WEB_FLOW_LOGIN = 'web-flow';

/** What happened after a commit. */
export type LaterPushes =
  | { status: 'fresh' }
  /** The commit is no longer in the PR (force push). */
  | { status: 'not-in-pr' }
  /** `sha` is the first later commit that makes it stale; `by` says why. */
  | { status: 'stale'; sha: string; by: 'agent' | 'other' | 'any' };

/** Maps each commit SHA to the recorded push that brought it, when there is one. */
export function pushesByCommit(commitShas: readonly string[], pushes: readonly PushFact[]): Map<string, PushFact> {
  const index = new Map(commitShas.map((sha, i) => [sha, i] as const));
  const ordered = pushes
    .filter((p) => index.has(p.headSha))
    .sort((a, b) => index.get(a.headSha)! - index.get(b.headSha)! || Date.parse(a.at) - Date.parse(b.at));
  const out = new Map<string, PushFact>();
  let next = 0;
  commitShas.forEach((sha, i) => {
    while (next < ordered.length && index.get(ordered[next]!.headSha)! < i) next++;
    if (next < ordered.length) out.set(sha, ordered[next]!);
  });
  return out;
}

/** The login standing in for a commit's pusher when no push is recorded: committer, else author (`web-flow` skipped). */
export function commitPusher(facts: Pick<GateFacts, 'commits'>, sha: string): string | null {
  const commit = facts.commits?.find((c) => c.sha === sha);
  if (!commit) return null;
  const committer = commit.committerLogin && lower(commit.committerLogin) !== WEB_FLOW_LOGIN ? commit.committerLogin : null;
  return committer ?? commit.authorLogin ?? null;
}

/**
 * Looks at the commits after `fromSha` under `mode`:
 * - `off`: never stale (and the commit need not be in the PR);
 * - `agent`: stale at the first later commit the authorship classifier attributes to an agent, or pushed by a bot
 *   or agent (a recorded push with `automated`);
 * - `others`: stale also at the first later commit whose pusher is not `exemptLogin`, or is unknown (fail closed);
 * - `any`: stale at the first later commit.
 * Output: `fresh`, `not-in-pr` (the commit was force-pushed away) or `stale` with the commit and the reason.
 */
export function laterPushes(
  facts: Pick<GateFacts, 'commitShas' | 'authorship' | 'commits' | 'pushes'>,
  fromSha: string | null,
  exemptLogin: string,
  mode: EffectiveStaleOnPush,
): LaterPushes {
  if (mode === 'off') return { status: 'fresh' };
  const index = fromSha ? facts.commitShas.indexOf(fromSha) : -1;
  if (index < 0) return { status: 'not-in-pr' };
  const later = facts.commitShas.slice(index + 1);
  if (later.length === 0) return { status: 'fresh' };
  if (mode === 'any') return { status: 'stale', sha: later[0]!, by: 'any' };
  const agentShas = new Set(facts.authorship.agentCommitShas);
  const pushers = pushesByCommit(facts.commitShas, facts.pushes ?? []);
  for (const sha of later) {
    const push = pushers.get(sha);
    if (agentShas.has(sha) || push?.automated) return { status: 'stale', sha, by: 'agent' };
    if (mode === 'others') {
      const pusher = push ? push.pusherLogin : commitPusher(facts, sha);
      if (pusher === null || lower(pusher) !== lower(exemptLogin)) return { status: 'stale', sha, by: 'other' };
    }
  }
  return { status: 'fresh' };
}

/**
 * The PR's head SHA at time `at` (ISO 8601): the head of the last recorded push at or before it; without one, the
 * last commit (in PR order) whose committer date is at or before it. Null when neither tells.
 */
export function headShaAt(facts: Pick<GateFacts, 'commitShas' | 'commits' | 'pushes'>, at: string): string | null {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return null;
  const inPr = new Set(facts.commitShas);
  const before = (facts.pushes ?? []).filter((p) => inPr.has(p.headSha) && Date.parse(p.at) <= t);
  if (before.length > 0) {
    const index = (sha: string) => facts.commitShas.indexOf(sha);
    before.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || index(a.headSha) - index(b.headSha));
    return before[before.length - 1]!.headSha;
  }
  const dated = new Map((facts.commits ?? []).map((c) => [c.sha, c.committedAt] as const));
  let head: string | null = null;
  for (const sha of facts.commitShas) {
    const when = dated.get(sha);
    if (when && Date.parse(when) <= t) head = sha;
  }
  return head;
}
