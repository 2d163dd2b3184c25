/**
 * `ai-review classify --explain`: for one PR, every identity the classifier looked at (accounts, git identities,
 * trailers, body markers, branch, labels, assignments), which catalog entry each matched and by which rule, or why
 * none did. Pure: it reads the same input as `classifyPullRequest` and returns plain data; `formatExplanation`
 * renders it as text. Values are untrusted PR text: they are clipped and JSON-quoted when rendered.
 */
import type { AgentDescriptor } from './catalog.js';
import {
  AGENT_COMMIT_SHARE_THRESHOLD,
  AUTHORED_SIGNALS,
  classifyPullRequest,
  DEFAULT_AUTHORSHIP_OPTIONS,
  MAX_REASON_VALUE,
  PR_LEVEL_SIGNALS,
} from './classify.js';
import { identityIndex, isBotAccount, matchAccount, matchEmailRule, parseNoreplyEmail, type IdentityIndex } from './identity.js';
import { matchesBodyTemplate, mergeTargetBranch, parseNameEmail, parseTrailers } from './text.js';
import type { AccountInput, AuthorshipInput, AuthorshipOptions, AuthorshipVerdict } from './types.js';

/** One identity seen in the PR and what the catalog made of it. */
export interface IdentityExplanation {
  /** Where it was found, e.g. `pull_request.user`, `commits[2].commit.author.email`, `commits[2] Co-authored-by`. */
  where: string;
  /** The value as found (untrusted, clipped to 200 characters). */
  value: string;
  /** The catalog or custom entry it matched, or null. */
  matched: string | null;
  /** Why it matched (the rule) or why it did not. */
  why: string;
}

/** The explanation of one PR. */
export interface Explanation {
  verdict: AuthorshipVerdict;
  /** One sentence on how the class was reached. */
  decision: string;
  identities: IdentityExplanation[];
}

const BOT_SUFFIX = '[bot]';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function clip(value: string): string {
  return value.length > MAX_REASON_VALUE ? `${value.slice(0, MAX_REASON_VALUE)}…` : value;
}

/** Names of agents that a login, email or git name merely contains (`claude` in `claude-fan`): never evidence. */
function lookalike(text: string, index: IdentityIndex): AgentDescriptor | null {
  const lower = text.toLowerCase();
  for (const entry of index.entries) {
    if (entry.kind !== 'agent') continue;
    const token = entry.name.split('-')[0] ?? '';
    if (token.length >= 4 && lower.includes(token)) return entry;
  }
  return null;
}

function describeAccount(account: AccountInput): string {
  const parts = [str(account.login) || '(no login)'];
  if (typeof account.id === 'number') parts.push(`id ${account.id}`);
  if (typeof account.type === 'string') parts.push(account.type);
  return parts.join(', ');
}

/**
 * Why an account matched a catalog entry or not. Mirrors `matchAccount`: ids decide; a bot's login without `[bot]`
 * needs `type: "Bot"`; a known login with another id is another account.
 */
export function explainAccount(account: AccountInput | null | undefined, index: IdentityIndex): { matched: string | null; why: string } {
  if (!account) return { matched: null, why: 'absent' };
  const match = matchAccount(account, index);
  if (match) {
    return match.by === 'id'
      ? { matched: match.entry.name, why: `id ${String(account.id)} is ${match.entry.displayName}'s account (${match.entry.kind})` }
      : { matched: match.entry.name, why: `login "${str(account.login)}" is ${match.entry.displayName}'s account (${match.entry.kind})` };
  }
  const login = str(account.login).toLowerCase();
  if (login === '') return { matched: null, why: 'no login' };
  const named = index.byRestLogin.get(login) ?? index.byRestLogin.get(`${login}${BOT_SUFFIX}`) ?? index.byBotSlug.get(login);
  if (named) {
    const known =
      named.accounts.find((a) => a.login.toLowerCase() === login) ??
      named.accounts.find((a) => a.login.toLowerCase() === `${login}${BOT_SUFFIX}`);
    if (typeof account.id === 'number' && known?.id !== undefined && known.id !== account.id) {
      return {
        matched: null,
        why: `login "${str(account.login)}" is spelled like ${named.displayName}'s, but id ${account.id} is not its id ${known.id}: another account`,
      };
    }
    return {
      matched: null,
      why: `"${str(account.login)}" is the name of ${named.displayName}'s App user, but the payload does not say type Bot (nor carry its id): people hold this login too`,
    };
  }
  if (isBotAccount(account)) return { matched: null, why: 'a bot the catalog does not know: read as automation' };
  const like = lookalike(login, index);
  if (like)
    return {
      matched: null,
      why: `contains "${like.name.split('-')[0] ?? ''}", but names never match: only ids, exact logins and addresses do`,
    };
  return { matched: null, why: 'not a catalog account' };
}

const EMAIL_RULES: Record<string, string> = {
  exact: 'an address the catalog lists',
  domain: 'a custom *@domain pattern',
  'noreply-id': "the id in this GitHub noreply address is the entry's account",
  'noreply-login': "the login in this GitHub noreply address is the entry's account",
  'noreply-login-over-runner-id': "the login names the agent's App and the id is a workflow runner's (github-actions): the agent wins",
};

/** Why a git email matched a catalog entry or not (see `matchEmailRule`). */
export function explainEmail(email: string, index: IdentityIndex): { matched: string | null; why: string } {
  if (email === '') return { matched: null, why: 'no address' };
  const match = matchEmailRule(email, index);
  if (match)
    return { matched: match.entry.name, why: `${EMAIL_RULES[match.rule] ?? match.rule} (${match.entry.displayName}, ${match.entry.kind})` };
  const lower = email.trim().toLowerCase();
  const noreply = parseNoreplyEmail(lower);
  if (noreply) {
    const named = index.byRestLogin.get(noreply.login);
    const knownId = named?.accounts.find((a) => a.id !== undefined)?.id;
    if (named && noreply.id !== null && knownId !== undefined) {
      return {
        matched: null,
        why: `GitHub noreply address naming "${noreply.login}" (${named.displayName}) with id ${noreply.id}, which is not a catalog id (its is ${knownId}): another account`,
      };
    }
    const account = explainAccount({ login: noreply.login, ...(noreply.login.endsWith(BOT_SUFFIX) ? { type: 'Bot' } : {}) }, index);
    return { matched: null, why: `GitHub noreply address of "${noreply.login}": ${account.why}` };
  }
  const at = lower.lastIndexOf('@');
  const domain = at >= 0 ? lower.slice(at) : '';
  if (domain !== '') {
    for (const entry of index.entries) {
      if (entry.kind !== 'agent') continue;
      const same = entry.emails.find((e) => e.endsWith(domain));
      if (same) return { matched: null, why: `same domain as ${entry.displayName}'s ${same}, but only exact addresses match` };
    }
  }
  const like = lookalike(lower, index);
  if (like) return { matched: null, why: `contains "${like.name.split('-')[0] ?? ''}", but only exact addresses match` };
  return { matched: null, why: 'not a catalog address' };
}

function push(out: IdentityExplanation[], where: string, value: string, result: { matched: string | null; why: string }): void {
  out.push({ where, value: clip(value), matched: result.matched, why: result.why });
}

function explainName(name: string, index: IdentityIndex): { matched: string | null; why: string } {
  const lower = name.toLowerCase();
  for (const entry of index.entries) {
    const suffix = entry.authorNameSuffixes.find((s) => lower.endsWith(s.toLowerCase()));
    if (suffix) return { matched: entry.name, why: `ends with "${suffix}", the author-name suffix ${entry.displayName} writes` };
  }
  const like = lookalike(lower, index);
  if (like) return { matched: null, why: `a name is never evidence (a person can be called ${like.name.split('-')[0] ?? ''})` };
  return { matched: null, why: 'a name is never evidence' };
}

function explainBranch(branch: string, index: IdentityIndex): { matched: string | null; why: string } {
  const lower = branch.toLowerCase();
  for (const entry of index.entries) {
    const plain = entry.branchPrefixes.find((p) => lower.startsWith(p.toLowerCase()));
    if (plain) return { matched: entry.name, why: `starts with ${entry.displayName}'s default prefix "${plain}" (low)` };
    const digit = entry.branchPrefixesBeforeDigit.find((p) => lower.startsWith(p.toLowerCase()));
    if (digit) {
      const next = lower[digit.length];
      if (next !== undefined && next >= '0' && next <= '9') {
        return { matched: entry.name, why: `starts with "${digit}" and a digit, as ${entry.displayName} names branches (low)` };
      }
      return {
        matched: null,
        why: `"${digit}" counts only before a digit (${entry.displayName} writes a number there; people use "${digit}" too)`,
      };
    }
  }
  return { matched: null, why: 'no catalog branch prefix' };
}

function explainTrailer(key: string, value: string, index: IdentityIndex): { matched: string | null; why: string } | null {
  const lowerKey = key.toLowerCase();
  if (lowerKey === 'co-authored-by' || lowerKey === 'signed-off-by') {
    const { email } = parseNameEmail(value);
    if (!email) return { matched: null, why: 'no address in angle brackets: a name alone is never evidence' };
    const result = explainEmail(email, index);
    if (result.matched !== null) {
      const entry = index.entries.find((e) => e.name === result.matched);
      if (entry?.kind === 'review-bot')
        return { matched: entry.name, why: `${result.why}: an applied review suggestion (assisted, never agent)` };
      if (entry?.kind === 'automation') return { matched: entry.name, why: `${result.why}: automation, not agent authorship` };
    }
    return result;
  }
  for (const entry of index.entries) {
    const trailer = entry.trailers.find((t) => t.key.toLowerCase() === lowerKey);
    if (!trailer) continue;
    if (value.toLowerCase().startsWith(trailer.valuePrefix.toLowerCase())) {
      return { matched: entry.name, why: `${entry.displayName}'s trailer ${trailer.key}: ${trailer.valuePrefix}…` };
    }
    return {
      matched: null,
      why: `${entry.displayName} writes ${trailer.key} with a value starting "${trailer.valuePrefix}"; this one does not`,
    };
  }
  return null;
}

function explainText(where: string, text: string, index: IdentityIndex, out: IdentityExplanation[]): void {
  const lower = text.toLowerCase();
  let found = false;
  for (const entry of index.entries) {
    if (entry.kind !== 'agent') continue;
    for (const marker of entry.bodyMarkers) {
      if (lower.includes(marker)) {
        found = true;
        push(out, where, marker, { matched: entry.name, why: `text ${entry.displayName} writes by default (medium)` });
      }
    }
  }
  if (!found && where === 'pull_request.body') {
    const like = lookalike(lower, index);
    push(out, where, like ? `mentions ${like.name.split('-')[0] ?? ''}` : '(no marker)', {
      matched: null,
      why: like ? 'mentioning a tool is not evidence; only the text the tool writes by default is' : 'no catalog marker',
    });
  }
}

/** Lists every identity of the PR and what the catalog made of it. */
function identities(input: AuthorshipInput, index: IdentityIndex): IdentityExplanation[] {
  const out: IdentityExplanation[] = [];
  const pr = input.pull_request ?? {};
  if (pr.user) push(out, 'pull_request.user', describeAccount(pr.user), explainAccount(pr.user, index));
  const body = str(pr.body);
  if (body !== '') {
    explainText('pull_request.body', body, index, out);
    for (const entry of index.entries) {
      if (entry.kind === 'agent' && entry.bodyTemplate && matchesBodyTemplate(body, entry.bodyTemplate.headings)) {
        push(out, 'pull_request.body', entry.bodyTemplate.headings.join(' / '), {
          matched: entry.name,
          why: `exactly ${entry.displayName}'s default layout (low)`,
        });
      }
    }
  }
  const ref = str(pr.head?.ref);
  if (ref !== '') push(out, 'pull_request.head.ref', ref, explainBranch(ref, index));
  (Array.isArray(pr.labels) ? pr.labels : []).forEach((label, i) => {
    const name = str(label?.name);
    if (name === '') return;
    const entry = index.entries.find((e) => e.labels.some((l) => l.toLowerCase() === name.toLowerCase()));
    push(
      out,
      `pull_request.labels[${i}]`,
      name,
      entry ? { matched: entry.name, why: `a label ${entry.displayName} applies (low)` } : { matched: null, why: 'not a catalog label' },
    );
  });
  (Array.isArray(pr.assignees) ? pr.assignees : []).forEach((a, i) => {
    if (a) push(out, `pull_request.assignees[${i}]`, describeAccount(a), explainAccount(a, index));
  });
  (Array.isArray(input.timeline) ? input.timeline : []).forEach((event, i) => {
    if (event?.event !== 'assigned' || !event.assignee) return;
    push(out, `timeline[${i}] assigned`, describeAccount(event.assignee), explainAccount(event.assignee, index));
  });
  (Array.isArray(input.commits) ? input.commits : []).forEach((commit, i) => {
    const c = commit ?? {};
    for (const role of ['author', 'committer'] as const) {
      const account = c[role];
      if (account) push(out, `commits[${i}].${role}`, describeAccount(account), explainAccount(account, index));
      const git = c.commit?.[role];
      const email = str(git?.email);
      if (email !== '') push(out, `commits[${i}].commit.${role}.email`, email, explainEmail(email, index));
      const name = str(git?.name);
      if (name !== '') push(out, `commits[${i}].commit.${role}.name`, name, explainName(name, index));
    }
    const message = str(c.commit?.message);
    if (message === '') return;
    const merge = mergeTargetBranch(message);
    if (merge) push(out, `commits[${i}] merge into`, merge, explainBranch(merge, index));
    for (const trailer of parseTrailers(message)) {
      const result = explainTrailer(trailer.key, trailer.value, index);
      if (result) push(out, `commits[${i}] ${trailer.key}`, trailer.value, result);
    }
    explainText(`commits[${i}].commit.message`, message, index, out);
  });
  return out;
}

/** One sentence on how the verdict's class was reached (the order in classify.ts). */
function decision(verdict: AuthorshipVerdict): string {
  const share = `${Math.round(verdict.agentCommitShare * 100)}%`;
  const mine = verdict.reasons.filter((r) => r.agent === verdict.agent);
  const threshold = `${AGENT_COMMIT_SHARE_THRESHOLD * 100}%`;
  if (verdict.class === 'human')
    return 'human: no agent evidence at or above min_confidence, no bot author, no applied AI review suggestion';
  if (verdict.class === 'automation') return `automation: ${verdict.agent ?? 'a bot'} opened it or made every commit`;
  if (verdict.class === 'assisted') {
    if (mine.some((r) => r.signal === 'review_suggestion')) {
      return `assisted: a person's PR with an applied suggestion of the AI reviewer ${verdict.agent ?? ''}; no coding-agent evidence`;
    }
    return `assisted: ${verdict.agent ?? 'an agent'} co-authored ${share} of the commits (below ${threshold}), with no PR-level evidence and no commit made by its own identity`;
  }
  const prLevel = mine.find((r) => PR_LEVEL_SIGNALS.has(r.signal));
  if (prLevel) return `agent: PR-level evidence of ${verdict.agent ?? ''} (${prLevel.signal})`;
  const authored = mine.find((r) => AUTHORED_SIGNALS.has(r.signal));
  if (authored) return `agent: ${verdict.agent ?? ''} made commits with its own identity (${authored.signal})`;
  return `agent: ${share} of the commits carry agent evidence (at least ${threshold})`;
}

/**
 * Explains one PR: the verdict `classifyPullRequest` gives, how its class was reached, and every identity seen with
 * the catalog entry it matched or why none did. Input and options as for `classifyPullRequest`.
 */
export function explainPullRequest(input: AuthorshipInput, options: AuthorshipOptions = DEFAULT_AUTHORSHIP_OPTIONS): Explanation {
  const verdict = classifyPullRequest(input, options);
  return { verdict, decision: decision(verdict), identities: identities(input, identityIndex(options)) };
}

/**
 * Renders an explanation as plain text for a terminal. Untrusted values are JSON-quoted (control characters and
 * terminal escapes come out as `\u001b`). `label` names the PR (e.g. `line 3, #42`).
 */
export function formatExplanation(explanation: Explanation, label: string): string {
  const v = explanation.verdict;
  const lines = [
    `${label}: ${v.class}${v.agent !== null ? ` (${JSON.stringify(v.agent)})` : ''}${v.confidence !== null ? `, ${v.confidence} confidence` : ''}` +
      `${v.humanOfRecord !== null ? `, human of record ${JSON.stringify(v.humanOfRecord)}` : ''}, agent commits ${Math.round(v.agentCommitShare * 100)}%`,
    `  why: ${explanation.decision}`,
    '  identities:',
  ];
  if (explanation.identities.length === 0) lines.push('    (none)');
  for (const id of explanation.identities) {
    const verdict = id.matched !== null ? `→ ${id.matched}` : '→ no match';
    lines.push(`    ${id.where}: ${JSON.stringify(id.value)} ${verdict}: ${id.why}`);
  }
  return `${lines.join('\n')}\n`;
}
