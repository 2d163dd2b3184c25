/**
 * Renders gate results as the `ai-review` check run's output (title, Markdown summary). Pure.
 * Every value that comes from the PR (paths, trailers, branch names, body markers) is escaped: it is untrusted.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { ConfigError } from '../config/load.js';
import type { TouchedGroup } from '../paths/match.js';
import type { GateConclusion, GateResult, IgnoredApprovalReason, RuleResult } from './types.js';

/** The check run's name. Rulesets and branch protection require it by this exact name. */
export const CHECK_NAME = 'ai-review';

/** GitHub's limit on `output.summary` and `output.text`: 65,535 characters. */
export const OUTPUT_LIMIT = 65535;

/** Check-run output, as the REST checks API takes it. */
export interface CheckRunOutput {
  title: string;
  summary: string;
}

/** A check run to write: conclusion and output. */
export interface CheckRunContent {
  conclusion: GateConclusion;
  output: CheckRunOutput;
}

const MAX_VALUE_LENGTH = 200;

/**
 * Escapes untrusted text for GitHub-flavoured Markdown: backslash-escapes punctuation that starts formatting,
 * links, HTML or tables, folds newlines to spaces and cuts it to 200 characters.
 */
export function escapeMarkdown(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  const cut = flat.length > MAX_VALUE_LENGTH ? `${flat.slice(0, MAX_VALUE_LENGTH)}…` : flat;
  return cut.replace(/[\\`*_{}[\]()#+\-.!|<>~&@:]/g, (c) => `\\${c}`);
}

/** A login as a Markdown mention (`@alice`; logins are GitHub-controlled, but escaped anyway). */
function mention(login: string): string {
  return `@${escapeMarkdown(login).replace(/\\-/g, '-')}`;
}

/** A reviewer entry (`alice` or `@org/team`) for display. */
function reviewerLabel(reviewer: string): string {
  const r = reviewer.trim();
  return r.startsWith('@') ? `@${escapeMarkdown(r.slice(1)).replace(/\\-/g, '-')}` : mention(r);
}

const IGNORED_REASON_TEXT: Record<IgnoredApprovalReason, string> = {
  'pr-author': 'PR author',
  'bot-or-agent': 'bot or agent',
  'human-of-record': 'asked the agent for this PR',
  'stale-agent-push': 'an agent pushed after this approval',
  'commit-not-in-pr': 'approved a commit that is no longer in the PR',
  'not-a-required-reviewer': 'not a required reviewer',
  'no-write-access': 'no write access',
};

/** Renders the authorship verdict: class, agent, confidence, human of record and reasons. */
export function renderAuthorship(verdict: AuthorshipVerdict): string {
  const lines: string[] = [];
  if (verdict.class === 'agent') {
    const share = Math.round(verdict.agentCommitShare * 100);
    lines.push(
      `**Author:** coding agent **${escapeMarkdown(verdict.agent ?? 'unknown')}** (${verdict.confidence ?? 'unknown'} confidence)` +
        (verdict.humanOfRecord ? ` · requested by ${mention(verdict.humanOfRecord)}` : '') +
        ` · agent commits: ${share}%`,
    );
  } else if (verdict.class === 'automation') {
    lines.push(`**Author:** automation **${escapeMarkdown(verdict.agent ?? 'bot')}** (${verdict.confidence ?? 'unknown'} confidence)`);
  } else {
    lines.push('**Author:** human (no agent signal found)');
  }
  if (verdict.reasons.length > 0) {
    lines.push('', '<details><summary>Why</summary>', '');
    for (const r of verdict.reasons.slice(0, 10)) lines.push(`- ${escapeMarkdown(r.signal)}: ${escapeMarkdown(r.value)} (${r.confidence})`);
    if (verdict.reasons.length > 10) lines.push(`- … and ${verdict.reasons.length - 10} more`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}

/** Renders the sensitive groups touched, a few example files each. */
export function renderTouchedGroups(touched: readonly TouchedGroup[]): string {
  if (touched.length === 0) return '**Sensitive paths:** none touched';
  const lines = ['**Sensitive paths touched:**', '', '| Group | Files | Examples |', '| --- | ---: | --- |'];
  for (const t of touched) {
    const more = t.fileCount > t.examples.length ? `, … ${t.fileCount - t.examples.length} more` : '';
    lines.push(`| ${escapeMarkdown(t.group)} | ${t.fileCount} | ${t.examples.map(escapeMarkdown).join(', ')}${more} |`);
  }
  return lines.join('\n');
}

function ruleStatus(rule: RuleResult): string {
  if (rule.holds) return '✅ holds';
  return rule.mode === 'enforce' ? '❌ not met' : '⚠️ not met (advisory)';
}

function ruleNeeds(rule: RuleResult): string {
  const parts: string[] = [];
  if (rule.changesRequestedBy.length > 0) parts.push(`changes requested by ${rule.changesRequestedBy.map(mention).join(', ')}`);
  if (rule.missingApprovals > 0) {
    const from =
      rule.reviewers.length > 0
        ? ` from ${rule.pendingReviewers.map(reviewerLabel).join(' or ') || rule.reviewers.map(reviewerLabel).join(' or ')}`
        : ' from anyone with write access';
    parts.push(`${rule.missingApprovals} more approval${rule.missingApprovals === 1 ? '' : 's'}${from}`);
  }
  return parts.length > 0 ? parts.join('; ') : '—';
}

/** Renders the rules table and the ignored approvals. */
export function renderRules(rules: readonly RuleResult[]): string {
  if (rules.length === 0) return '**Rules:** none applies to this PR';
  const lines = ['**Rules:**', '', '| Rule | Mode | Status | Approvals that counted | Still needed |', '| --- | --- | --- | --- | --- |'];
  for (const rule of rules) {
    const counted = rule.approvals.length > 0 ? rule.approvals.map((a) => mention(a.login)).join(', ') : '—';
    const why = rule.matchedGroups.length > 0 ? ` (paths: ${rule.matchedGroups.map(escapeMarkdown).join(', ')})` : '';
    lines.push(
      `| ${escapeMarkdown(rule.name)}${why} | ${rule.mode} | ${ruleStatus(rule)} | ${counted} (${rule.approvals.length}/${rule.count}) | ${ruleNeeds(rule)} |`,
    );
  }
  const ignored = new Map<string, string>();
  for (const rule of rules) {
    for (const i of rule.ignoredApprovals) {
      if (i.reason === 'not-a-required-reviewer' || i.reason === 'no-write-access') continue;
      ignored.set(i.login.toLowerCase(), `${mention(i.login)} (${IGNORED_REASON_TEXT[i.reason]})`);
    }
  }
  const perRule = rules.flatMap((r) =>
    r.ignoredApprovals
      .filter((i) => (i.reason === 'not-a-required-reviewer' || i.reason === 'no-write-access') && !ignored.has(i.login.toLowerCase()))
      .map((i) => `${mention(i.login)} (${IGNORED_REASON_TEXT[i.reason]} for ${escapeMarkdown(r.name)})`),
  );
  const all = [...ignored.values(), ...perRule];
  if (all.length > 0) lines.push('', `**Approvals that did not count:** ${all.join(', ')}`);
  return lines.join('\n');
}

function truncate(summary: string): string {
  if (summary.length <= OUTPUT_LIMIT) return summary;
  const note = '\n\n… (cut to fit GitHub’s 65,535-character limit)';
  return summary.slice(0, OUTPUT_LIMIT - note.length) + note;
}

/** Builds the check run for an evaluated gate. */
export function renderGateCheckRun(
  result: GateResult,
  verdict: AuthorshipVerdict,
  touched: readonly TouchedGroup[],
  context: { configOrigin: 'default' | 'file'; mode: string },
): CheckRunContent {
  const sections: string[] = [];
  if (result.override) {
    sections.push(
      `**Overridden:** the label “${escapeMarkdown(result.override.label)}” was applied by ${mention(result.override.login)} at ${escapeMarkdown(result.override.at)}; the gate is green and the override is recorded.`,
    );
  }
  if (result.ignoredOverrides.length > 0) {
    sections.push(
      `**Override label ignored:** applied by ${result.ignoredOverrides.map((o) => mention(o.login)).join(', ')}, who ${result.ignoredOverrides.length === 1 ? 'is' : 'are'} not allowed to override (see \`overrides.allowed\`).`,
    );
  }
  sections.push(renderAuthorship(verdict), renderTouchedGroups(touched), renderRules(result.rules));
  sections.push(
    context.configOrigin === 'default'
      ? `_Configuration: built-in defaults (no \`.github/ai-review.yml\` on the default branch or in the organization’s \`.github\` repository), mode ${context.mode}._`
      : `_Configuration: \`.github/ai-review.yml\` from the default branch, mode ${context.mode}._`,
  );
  return { conclusion: result.conclusion, output: { title: result.title, summary: truncate(sections.join('\n\n')) } };
}

/** Builds the `failure` check run for an invalid configuration: what is wrong and where. */
export function renderConfigErrorCheckRun(errors: readonly ConfigError[]): CheckRunContent {
  const lines = [
    'The gate could not be evaluated because the configuration is invalid. Fix the file on the default branch; the check re-runs on the next push to it.',
    '',
    '| File | Line | Key | Problem |',
    '| --- | ---: | --- | --- |',
  ];
  for (const e of errors.slice(0, 50)) {
    lines.push(`| ${escapeMarkdown(e.source)} | ${e.line ?? '—'} | ${escapeMarkdown(e.path)} | ${escapeMarkdown(e.message)} |`);
  }
  if (errors.length > 50) lines.push('', `… and ${errors.length - 50} more problems.`);
  return {
    conclusion: 'failure',
    output: {
      title: `Invalid configuration: ${errors.length} problem${errors.length === 1 ? '' : 's'}`,
      summary: truncate(lines.join('\n')),
    },
  };
}

/** Builds the `failure` check run for a PR that cannot be evaluated safely (fail closed). `reason` is trusted text. */
export function renderCannotEvaluateCheckRun(reason: string): CheckRunContent {
  return {
    conclusion: 'failure',
    output: {
      title: 'The review gate could not be evaluated',
      summary: `${reason}\n\nThe gate fails closed: this check is not green until it can be evaluated. Use **Re-run** on this check, or push a new commit, to evaluate again.`,
    },
  };
}
