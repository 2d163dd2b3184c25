/**
 * The authorship classifier: a pure function from one PR in GitHub REST shapes to a verdict (agent, human or
 * automation; which agent; how sure; who asked for it; which commits the agent made). No I/O.
 *
 * Confidence rules (docs/authorship.md has the per-agent table):
 * - high: an identity the platform controls. The PR author is the agent's account (numeric id when the payload has
 *   one, else its REST login, or its GraphQL login with `type: "Bot"`); or a commit by the agent whose signature
 *   GitHub verified (`commit.verification.verified`). The signature is the committer's, so an agent author line
 *   reaches high only when the committer is the agent too.
 * - medium: text the tool writes by default. Commit author/committer identity or email of the agent without a
 *   verified signature (anyone can set `git config user.email`), a `Co-authored-by`/`Signed-off-by` trailer with the
 *   agent's email, a tool trailer (`Made-with: Cursor`), a PR-body or commit-message marker, an author-name suffix.
 * - low: conventions anyone can follow: head-branch prefix (also read from a GitHub-generated title such as
 *   `Codex/fix thing` or from a merge commit `Merge branch 'main' into codex/fix`), a label, a default body layout.
 *
 * Which agent, when evidence names several: PR-level evidence (author, body, branch, label) names the tool that
 * opened the PR and wins over commit-level evidence (a human applying a reviewer's suggestion, or finishing with
 * another tool); then higher confidence; then the agent of the earliest commit (who started it); then more commits.
 *
 * Agent-written or agent-assisted: a person's PR whose only agent evidence is in a minority of its commits (co-author
 * trailers, a few agent commits after the person's first commit) is `assisted`, named after the agent; so is a
 * person's PR with an applied AI review suggestion (a review bot's `Co-authored-by`). See `agentWrote` and
 * `AGENT_COMMIT_SHARE_THRESHOLD`.
 */
import type { AgentDescriptor } from './catalog.js';
import { identityIndex, isBotAccount, isBotEmail, matchAccount, matchEmail, parseNoreplyEmail, type IdentityIndex } from './identity.js';
import { loginNearMarker, matchesBodyTemplate, mergeTargetBranch, parseNameEmail, parseTrailers } from './text.js';
import {
  CONFIDENCE_ORDER,
  type AccountInput,
  type AuthorshipInput,
  type AuthorshipOptions,
  type AuthorshipReason,
  type AuthorshipVerdict,
  type CommitInput,
  type Confidence,
} from './types.js';

/** Defaults of the `agents` config section: built-in catalog on, no custom agents, `min_confidence: low`. */
export const DEFAULT_AUTHORSHIP_OPTIONS: AuthorshipOptions = Object.freeze({
  builtin: true,
  custom: [],
  minConfidence: 'low',
});

/** At most this many reasons are reported per verdict (a PR can have hundreds of commits). */
export const MAX_REASONS = 40;
/** Reason values (untrusted PR text) are cut to this many characters. */
export const MAX_REASON_VALUE = 200;

type Scope = 'pr' | 'commit';

interface Evidence {
  entry: AgentDescriptor;
  signal: string;
  value: string;
  confidence: Confidence;
  scope: Scope;
  /** Index of the commit, for commit-scope evidence. */
  commit?: number;
  /** The commit's author identity (account or email, not a name suffix) is the entry's: the tool made the commit itself. */
  authored?: boolean;
}

/** Signals that come from the PR itself (or name its head branch): they say the tool opened or wrote the PR. */
export const PR_LEVEL_SIGNALS: ReadonlySet<string> = new Set([
  'pr_author_id',
  'pr_author_login',
  'body_marker',
  'body_template',
  'branch_prefix',
  'merge_commit_branch',
  'title_branch_prefix',
  'label',
]);

/** Signals of a commit made by the tool's own identity (its account or address as commit author). */
export const AUTHORED_SIGNALS: ReadonlySet<string> = new Set(['commit_author_id', 'commit_author_login', 'commit_author_email']);

/** Rank of a confidence: low 0, medium 1, high 2. */
export function confidenceRank(c: Confidence): number {
  return CONFIDENCE_ORDER.indexOf(c);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function clip(value: string): string {
  return value.length > MAX_REASON_VALUE ? `${value.slice(0, MAX_REASON_VALUE)}…` : value;
}

/** The first of `markers` (lower-case) found in `text`, as written there; null when none. */
function firstMarker(text: string, lower: string, markers: readonly string[]): string | null {
  for (const marker of markers) {
    const at = lower.indexOf(marker);
    // Lower-casing can change lengths for a few scripts; fall back to the marker itself then.
    if (at >= 0) return text.length === lower.length ? text.slice(at, at + marker.length) : marker;
  }
  return null;
}

function isMergeCommit(message: string): boolean {
  return message.startsWith('Merge ');
}

/** Branch-prefix evidence for `branch` from every entry with a matching prefix. */
function branchEvidence(branch: string, signal: string, index: IdentityIndex, out: Evidence[]): void {
  const lower = branch.toLowerCase();
  for (const entry of index.entries) {
    const plain = entry.branchPrefixes.some((p) => lower.startsWith(p.toLowerCase()));
    const beforeDigit = entry.branchPrefixesBeforeDigit.some((p) => {
      const next = lower[p.length];
      return lower.startsWith(p.toLowerCase()) && next !== undefined && next >= '0' && next <= '9';
    });
    if (plain || beforeDigit) out.push({ entry, signal, value: branch, confidence: 'low', scope: 'pr' });
  }
}

/** Evidence that the PR author is a catalog/custom account (high: only the account itself can open a PR as itself). */
function authorEvidence(account: AccountInput | null | undefined, index: IdentityIndex): Evidence | null {
  const match = matchAccount(account, index);
  if (!match) return null;
  const value = match.by === 'id' ? String(account?.id) : str(account?.login);
  return { entry: match.entry, signal: `pr_author_${match.by}`, value, confidence: 'high', scope: 'pr' };
}

interface CommitFacts {
  /** The commit's author is an automation identity and nothing in it points to an agent. */
  automationAuthored: boolean;
  /** `Co-authored-by` noreply logins of non-bots, in order (human-of-record candidates). */
  coAuthorLogins: string[];
  merge: boolean;
}

function commitFacts(commit: CommitInput, i: number, index: IdentityIndex, out: Evidence[]): CommitFacts {
  const evidence: Evidence[] = [];
  const git = commit.commit ?? null;
  const message = str(git?.message);
  // GitHub verifies the committer's signature: it proves the committer identity, and the author only when the
  // committer is that same agent (a person can sign a commit whose author line claims an agent).
  const verified = git?.verification?.verified === true;
  const committerEntry = matchAccount(commit.committer, index)?.entry ?? matchEmail(str(git?.committer?.email), index);
  const confidenceFor = (entry: AgentDescriptor, base: 'commit_author' | 'commit_committer'): Confidence =>
    verified && (base === 'commit_committer' || entry === committerEntry) ? 'high' : 'medium';
  let automationAuthored = false;

  for (const [account, base] of [
    [commit.author, 'commit_author'],
    [commit.committer, 'commit_committer'],
  ] as const) {
    const match = matchAccount(account, index);
    if (match) {
      const value = match.by === 'id' ? String(account?.id) : str(account?.login);
      evidence.push({
        entry: match.entry,
        signal: `${base}_${match.by}`,
        value,
        confidence: confidenceFor(match.entry, base),
        scope: 'commit',
        commit: i,
        authored: base === 'commit_author',
      });
    } else if (base === 'commit_author' && isBotAccount(account)) automationAuthored = true;
  }
  for (const [identity, base] of [
    [git?.author, 'commit_author'],
    [git?.committer, 'commit_committer'],
  ] as const) {
    const email = str(identity?.email);
    const byEmail = matchEmail(email, index);
    if (byEmail)
      evidence.push({
        entry: byEmail,
        signal: `${base}_email`,
        value: email,
        confidence: confidenceFor(byEmail, base),
        scope: 'commit',
        commit: i,
        authored: base === 'commit_author',
      });
    else if (base === 'commit_author' && isBotEmail(email)) automationAuthored = true;
    const name = str(identity?.name);
    if (name !== '') {
      const lowerName = name.toLowerCase();
      for (const entry of index.entries) {
        if (entry.authorNameSuffixes.some((s) => lowerName.endsWith(s.toLowerCase()))) {
          evidence.push({
            entry,
            signal: `${base}_name`,
            value: name,
            confidence: 'medium',
            scope: 'commit',
            commit: i,
          });
        }
      }
    }
  }

  const coAuthorLogins: string[] = [];
  if (message !== '') {
    const merge = mergeTargetBranch(message);
    if (merge) branchEvidence(merge, 'merge_commit_branch', index, out);
    for (const trailer of parseTrailers(message)) {
      const key = trailer.key.toLowerCase();
      if (key === 'co-authored-by' || key === 'signed-off-by') {
        const { email } = parseNameEmail(trailer.value);
        if (!email) continue;
        const entry = matchEmail(email, index);
        if (entry) {
          // Automation co-authors are not agent authorship; a review bot's co-author trailer is an applied suggestion
          // (GitHub's "Commit suggestion" credits the bot), which makes a person's PR `assisted`, never `agent`.
          if (entry.kind === 'agent') {
            evidence.push({
              entry,
              signal: key === 'co-authored-by' ? 'co_authored_by' : 'signed_off_by',
              value: trailer.value,
              confidence: 'medium',
              scope: 'commit',
              commit: i,
            });
          } else if (entry.kind === 'review-bot' && key === 'co-authored-by') {
            evidence.push({ entry, signal: 'review_suggestion', value: trailer.value, confidence: 'medium', scope: 'commit', commit: i });
          }
        } else if (key === 'co-authored-by') {
          const noreply = parseNoreplyEmail(email);
          if (noreply && !noreply.login.endsWith('[bot]')) {
            // Keep the login's case as written.
            const at = email.toLowerCase().lastIndexOf(noreply.login);
            coAuthorLogins.push(at >= 0 ? email.slice(at, at + noreply.login.length) : noreply.login);
          }
        }
        continue;
      }
      for (const entry of index.entries) {
        for (const t of entry.trailers) {
          if (key === t.key.toLowerCase() && trailer.value.toLowerCase().startsWith(t.valuePrefix.toLowerCase())) {
            evidence.push({
              entry,
              signal: 'commit_trailer',
              value: `${trailer.key}: ${trailer.value}`,
              confidence: 'medium',
              scope: 'commit',
              commit: i,
            });
          }
        }
      }
    }
    const lowerMessage = message.toLowerCase();
    for (const entry of index.entries) {
      if (entry.kind !== 'agent') continue;
      const found = firstMarker(message, lowerMessage, entry.bodyMarkers);
      if (found !== null)
        evidence.push({ entry, signal: 'commit_message_marker', value: found, confidence: 'medium', scope: 'commit', commit: i });
    }
  }

  const agentIdentity = evidence.some((e) => e.entry.kind === 'agent');
  if (!agentIdentity && evidence.some((e) => e.entry.kind !== 'agent' && e.signal.startsWith('commit_author'))) automationAuthored = true;
  out.push(...evidence);
  return { automationAuthored: automationAuthored && !agentIdentity, coAuthorLogins, merge: isMergeCommit(message) };
}

/** Evidence from the PR itself: author, body, branch, title, labels. */
function pullRequestEvidence(input: AuthorshipInput, index: IdentityIndex, out: Evidence[]): Evidence | null {
  const pr = input.pull_request ?? {};
  const author = authorEvidence(pr.user, index);
  if (author) out.push(author);

  const body = str(pr.body);
  if (body !== '') {
    const lower = body.toLowerCase();
    for (const entry of index.entries) {
      if (entry.kind !== 'agent') continue;
      const found = firstMarker(body, lower, entry.bodyMarkers);
      if (found !== null) out.push({ entry, signal: 'body_marker', value: found, confidence: 'medium', scope: 'pr' });
      if (entry.bodyTemplate && matchesBodyTemplate(body, entry.bodyTemplate.headings)) {
        out.push({ entry, signal: 'body_template', value: entry.bodyTemplate.headings.join(' / '), confidence: 'low', scope: 'pr' });
      }
    }
  }

  const ref = str(pr.head?.ref);
  if (ref !== '') branchEvidence(ref, 'branch_prefix', index, out);

  // GitHub titles a PR of several commits after its branch: `codex/fix-thing` becomes "Codex/fix thing".
  const title = str(pr.title).toLowerCase();
  if (title !== '') {
    for (const entry of index.entries) {
      const prefix = entry.branchPrefixes.find(
        (p) => p.endsWith('/') && title.startsWith(p.toLowerCase()) && title.length > p.length && title[p.length] !== ' ',
      );
      if (prefix) out.push({ entry, signal: 'title_branch_prefix', value: str(pr.title), confidence: 'low', scope: 'pr' });
    }
  }

  const labels = Array.isArray(pr.labels) ? pr.labels : [];
  for (const label of labels) {
    const name = str(label?.name);
    if (name === '') continue;
    const lower = name.toLowerCase();
    for (const entry of index.entries) {
      if (entry.labels.some((l) => l.toLowerCase() === lower))
        out.push({ entry, signal: 'label', value: name, confidence: 'low', scope: 'pr' });
    }
  }
  return author;
}

interface Candidate {
  entry: AgentDescriptor;
  prRank: number;
  rank: number;
  commits: Set<number>;
  /** Index of the first commit with this agent's evidence (Infinity when none): who started the PR. */
  firstCommit: number;
}

function pickAgent(evidence: Evidence[], minRank: number): Candidate | null {
  const byName = new Map<string, Candidate>();
  for (const ev of evidence) {
    if (ev.entry.kind !== 'agent') continue;
    const rank = confidenceRank(ev.confidence);
    if (rank < minRank) continue;
    let c = byName.get(ev.entry.name);
    if (!c) {
      c = { entry: ev.entry, prRank: -1, rank: -1, commits: new Set(), firstCommit: Number.POSITIVE_INFINITY };
      byName.set(ev.entry.name, c);
    }
    if (ev.scope === 'pr') c.prRank = Math.max(c.prRank, rank);
    c.rank = Math.max(c.rank, rank);
    if (ev.commit !== undefined) {
      c.commits.add(ev.commit);
      c.firstCommit = Math.min(c.firstCommit, ev.commit);
    }
  }
  // Ordering: PR-level confidence, then any confidence, then who made the earliest commit, then most commits.
  const better = (a: Candidate, b: Candidate): boolean =>
    a.prRank !== b.prRank
      ? a.prRank > b.prRank
      : a.rank !== b.rank
        ? a.rank > b.rank
        : a.firstCommit !== b.firstCommit
          ? a.firstCommit < b.firstCommit
          : a.commits.size > b.commits.size;
  let best: Candidate | null = null;
  for (const c of byName.values()) if (!best || better(c, best)) best = c;
  return best;
}

function loginOf(account: AccountInput | null | undefined): string | null {
  const login = str(account?.login);
  return login === '' ? null : login;
}

/**
 * A login that is neither a bot nor a catalog/custom account. A login spelled like a catalog account (`Copilot`
 * without its type) is not taken for a person either: for the human of record, doubt means "not known".
 */
function isHumanAccount(account: AccountInput | null | undefined, index: IdentityIndex): boolean {
  const login = loginOf(account);
  if (login === null || isBotAccount(account) || matchAccount(account, index) !== null) return false;
  return account?.type === 'User' || !index.byRestLogin.has(login.toLowerCase());
}

function humanOfRecord(entry: AgentDescriptor, input: AuthorshipInput, index: IdentityIndex, coAuthors: string[]): string | null {
  const pr = input.pull_request ?? {};
  for (const source of entry.humanOfRecord) {
    if (source.from === 'assigner') {
      for (const event of Array.isArray(input.timeline) ? input.timeline : []) {
        if (event?.event !== 'assigned' || matchAccount(event.assignee, index)?.entry !== entry) continue;
        if (isHumanAccount(event.actor, index)) return loginOf(event.actor);
      }
    } else if (source.from === 'co_author') {
      const login = coAuthors.find((l) => isHumanAccount({ login: l }, index));
      if (login) return login;
    } else if (source.from === 'assignee') {
      const assignee = (Array.isArray(pr.assignees) ? pr.assignees : []).find((a) => isHumanAccount(a, index));
      if (assignee) return loginOf(assignee);
    } else {
      const body = str(pr.body);
      const login = body === '' ? null : loginNearMarker(body, body.toLowerCase(), source.marker);
      if (login && isHumanAccount({ login }, index)) return login;
    }
  }
  return isHumanAccount(pr.user, index) ? loginOf(pr.user) : null;
}

/** Reasons in order: evidence for the verdict's agent/bot first, then PR-level evidence, then by confidence. */
function toReasons(evidence: Evidence[], verdictName: string | null): AuthorshipReason[] {
  const seen = new Set<string>();
  const reasons: AuthorshipReason[] = [];
  const key = (ev: Evidence): number =>
    (ev.entry.name === verdictName ? 0 : 100) + (ev.scope === 'pr' ? 0 : 10) + (2 - confidenceRank(ev.confidence));
  const ordered = [...evidence].sort((a, b) => key(a) - key(b));
  for (const ev of ordered) {
    const value = clip(ev.value);
    const key = `${ev.entry.name}\u0000${ev.signal}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push({ signal: ev.signal, value, confidence: ev.confidence, agent: ev.entry.name });
    if (reasons.length >= MAX_REASONS) break;
  }
  return reasons;
}

/**
 * Classifies one pull request.
 *
 * Input: `{pull_request, commits, timeline}` in GitHub REST shapes; every field may be missing or null (a missing
 * field is never evidence). Output: the verdict; `agentCommitShare` is commits with agent evidence at or above
 * `minConfidence` over all commits (0 with no commits); `reasons` lists the evidence (at most `MAX_REASONS`, values
 * clipped to `MAX_REASON_VALUE` characters), including evidence below `minConfidence` that did not count.
 * Never throws on well-typed input; ignores values of the wrong type.
 */
export function classifyPullRequest(input: AuthorshipInput, options: AuthorshipOptions = DEFAULT_AUTHORSHIP_OPTIONS): AuthorshipVerdict {
  const index = identityIndex(options);
  const minRank = confidenceRank(options.minConfidence);
  const evidence: Evidence[] = [];
  const authorEvidence = pullRequestEvidence(input, index, evidence);
  const commits = Array.isArray(input.commits) ? input.commits : [];
  const facts = commits.map((c, i) => commitFacts(c ?? {}, i, index, evidence));

  const agentCommits = new Set<number>();
  for (const ev of evidence) {
    if (ev.entry.kind === 'agent' && ev.commit !== undefined && confidenceRank(ev.confidence) >= minRank) agentCommits.add(ev.commit);
  }
  const agentCommitShas: string[] = [];
  for (const i of [...agentCommits].sort((a, b) => a - b)) {
    const sha = str(commits[i]?.sha);
    if (sha !== '') agentCommitShas.push(sha);
  }
  const agentCommitShare = commits.length === 0 ? 0 : agentCommits.size / commits.length;
  const decision = decide({ input, evidence, facts, authorEntry: authorEvidence?.entry ?? null, index, minRank, agentCommitShare });
  return {
    ...decision,
    agentCommitShare,
    agentCommitShas,
    reasons: toReasons(evidence, decision.agent),
  };
}

type Decision = Pick<AuthorshipVerdict, 'class' | 'agent' | 'confidence' | 'humanOfRecord'>;

/**
 * The share of commits with agent evidence at or above which a PR whose agent evidence is only in commits (no PR
 * author, body, branch or label of the agent, and the agent did not make the first commit) is `agent`; below it the
 * PR is `assisted`. 0.5 is "at least half": on the AIDev agent PRs identified by commits alone, Claude Code CLI PRs
 * (co-author trailers) have shares from 0.5 up, so any higher threshold would call agent-written PRs assisted
 * (docs/authorship.md, "Agent-authored or agent-assisted").
 */
export const AGENT_COMMIT_SHARE_THRESHOLD = 0.5;

/** What `decide` reads. */
interface DecideInput {
  input: AuthorshipInput;
  evidence: Evidence[];
  facts: CommitFacts[];
  authorEntry: AgentDescriptor | null;
  index: IdentityIndex;
  minRank: number;
  agentCommitShare: number;
}

/**
 * Whether agent evidence makes the PR agent-written rather than agent-assisted: PR-level evidence of the agent (body,
 * branch, title, label, at any confidence), commits made by the agent's own identity (its account or address as commit author: cloud and
 * background agents pushing their own work), or an agent commit share of at least `AGENT_COMMIT_SHARE_THRESHOLD`.
 * What is left is a person's commits with the agent as co-author (trailers, markers, an author-name suffix) in a
 * minority of the commits: assistance.
 */
function agentWrote(candidate: Candidate, d: DecideInput): boolean {
  // PR-level evidence of the same agent counts here at any confidence: min_confidence decides whether there is an
  // agent at all; once there is, its branch or label (low) still says it opened the PR.
  if (d.evidence.some((ev) => ev.entry === candidate.entry && ev.scope === 'pr')) return true;
  if (d.agentCommitShare >= AGENT_COMMIT_SHARE_THRESHOLD) return true;
  return d.evidence.some((ev) => ev.entry === candidate.entry && ev.authored === true && confidenceRank(ev.confidence) >= d.minRank);
}

/** The class, agent, confidence and human of record, in the order documented at the top of this file. */
function decide(d: DecideInput): Decision {
  const { input, evidence, facts, authorEntry, index, minRank } = d;
  const pr = input.pull_request ?? {};
  const commits = Array.isArray(input.commits) ? input.commits : [];
  const automationAuthor = authorEntry !== null ? authorEntry.kind === 'automation' : isBotAccount(pr.user);
  const authorRunsAgents = authorEntry === null || authorEntry.runsAgents === true;

  // 1. The PR author is an agent (or an AI reviewer's App opening a PR of its own code): the platform says so.
  if (authorEntry && authorEntry.kind !== 'automation') {
    const coAuthors = facts.flatMap((f) => f.coAuthorLogins);
    return {
      class: 'agent',
      agent: authorEntry.name,
      confidence: 'high',
      humanOfRecord: humanOfRecord(authorEntry, input, index, coAuthors),
    };
  }
  // 2. An automation bot opened it: automation, whatever its body quotes, unless it runs arbitrary workflows.
  if (authorEntry && automationAuthor && !authorRunsAgents) {
    return { class: 'automation', agent: authorEntry.name, confidence: 'high', humanOfRecord: null };
  }
  // 3. Agent evidence at or above minConfidence: agent-written, or else agent-assisted.
  const candidate = pickAgent(evidence, minRank);
  if (candidate) {
    const coAuthors = facts.filter((_, i) => candidate.commits.has(i)).flatMap((f) => f.coAuthorLogins);
    const confidence = CONFIDENCE_ORDER[candidate.rank] ?? 'low';
    if (!agentWrote(candidate, d) && isHumanAccount(pr.user, index)) {
      return { class: 'assisted', agent: candidate.entry.name, confidence, humanOfRecord: loginOf(pr.user) };
    }
    return {
      class: 'agent',
      agent: candidate.entry.name,
      confidence,
      humanOfRecord: humanOfRecord(candidate.entry, input, index, coAuthors),
    };
  }
  // 4. Automation: a bot opened it, or bots made every non-merge commit, or an automation branch with no human commit.
  if (automationAuthor) {
    const login = str(pr.user?.login);
    const name = authorEntry?.name ?? (login.toLowerCase().endsWith('[bot]') ? login.slice(0, -5) : login);
    return { class: 'automation', agent: name === '' ? null : name, confidence: 'high', humanOfRecord: null };
  }
  const authored = facts.filter((f) => !f.merge);
  if (authored.length > 0 && authored.every((f) => f.automationAuthored)) {
    const named = evidence.find((e) => e.entry.kind === 'automation' && e.signal.startsWith('commit_author'));
    return {
      class: 'automation',
      agent: named?.entry.name ?? automationNameFromCommit(commits, facts),
      confidence: 'medium',
      humanOfRecord: null,
    };
  }
  const branch = evidence.find(
    (e) => e.entry.kind === 'automation' && (e.signal === 'branch_prefix' || e.signal === 'merge_commit_branch'),
  );
  if (branch && authored.every((f) => f.automationAuthored)) {
    return { class: 'automation', agent: branch.entry.name, confidence: 'low', humanOfRecord: null };
  }
  // 5. A person's PR with an applied AI review suggestion (a review bot's co-author trailer): assisted by that bot.
  const suggestion = evidence.find((e) => e.signal === 'review_suggestion' && confidenceRank(e.confidence) >= minRank);
  if (suggestion && isHumanAccount(pr.user, index)) {
    return { class: 'assisted', agent: suggestion.entry.name, confidence: suggestion.confidence, humanOfRecord: loginOf(pr.user) };
  }
  // 6. Otherwise a person.
  return { class: 'human', agent: null, confidence: null, humanOfRecord: null };
}

/** The bot name of the first automation-authored commit (`renovate` from `renovate[bot]`), for unknown bots. */
function automationNameFromCommit(commits: CommitInput[], facts: CommitFacts[]): string | null {
  const i = facts.findIndex((f) => f.automationAuthored && !f.merge);
  const commit = commits[i];
  if (!commit) return null;
  const login = str(commit.author?.login);
  if (login !== '') return login.toLowerCase().endsWith('[bot]') ? login.slice(0, -5) : login;
  const email = str(commit.commit?.author?.email);
  const noreply = parseNoreplyEmail(email);
  if (noreply) return noreply.login.endsWith('[bot]') ? noreply.login.slice(0, -5) : noreply.login;
  return null;
}
