/**
 * Renders gate results as the `ai-review` check run's output (title, Markdown summary). Pure.
 * Every value that comes from the PR (paths, trailers, branch names, body markers) is escaped: it is untrusted.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { ConfigError } from '../config/load.js';
import type { TouchedGroup } from '../paths/match.js';
import { CODEOWNERS_LOCATIONS } from '../codeowners/index.js';
import { cutTitle, nextStep, unmetNeeds, type NameFormat } from './next-step.js';
import { OVERRIDE_COMMAND } from './overrides.js';
import type { CannotApprove, GateConclusion, GateResult, IgnoredApprovalReason, OverrideCommandResult, RuleResult } from './types.js';

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

/**
 * Text as an inline code span: backslash escapes do not work inside one, so backticks and line breaks are replaced
 * instead, and the text is cut to 200 characters.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/`/g, "'");
  return `\`${flat.length > MAX_VALUE_LENGTH ? `${flat.slice(0, MAX_VALUE_LENGTH)}…` : flat}\``;
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
  'stale-push-by-other': 'someone else pushed after this approval',
  'stale-push': 'new commits were pushed after this approval',
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
  } else if (verdict.class === 'assisted') {
    const share = Math.round(verdict.agentCommitShare * 100);
    lines.push(
      `**Author:** ${verdict.humanOfRecord ? mention(verdict.humanOfRecord) : 'a person'}, assisted by **${escapeMarkdown(verdict.agent ?? 'an AI tool')}**` +
        ` (${verdict.confidence ?? 'unknown'} confidence) · agent commits: ${share}%`,
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

/** Names as escaped Markdown, for the summary. */
export const MARKDOWN_NAMES: NameFormat = {
  user: (login) => mention(login),
  reviewer: (entry) => (entry.includes('@') && !entry.startsWith('@') ? escapeMarkdown(entry) : reviewerLabel(entry)),
  text: (value) => escapeMarkdown(value),
};

/** Renders the rules table and the ignored approvals. */
export function renderRules(rules: readonly RuleResult[]): string {
  if (rules.length === 0) return '**Rules:** none applies to this PR';
  const lines = ['**Rules:**', '', '| Rule | Mode | Status | Approvals that counted | Still needed |', '| --- | --- | --- | --- | --- |'];
  for (const rule of rules) {
    const counted = rule.approvals.length > 0 ? rule.approvals.map((a) => mention(a.login)).join(', ') : '—';
    const why = rule.matchedGroups.length > 0 ? ` (paths: ${rule.matchedGroups.map(escapeMarkdown).join(', ')})` : '';
    const owners = rule.codeowners ? ' + code owners' : '';
    const needs = unmetNeeds([rule], MARKDOWN_NAMES, true).join('; ') || '—';
    lines.push(
      `| ${escapeMarkdown(rule.name)}${why} | ${rule.mode} | ${ruleStatus(rule)} | ${counted} (${rule.approvals.length}/${rule.count}${owners}) | ${needs} |`,
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

const MAX_OWNER_SET_ROWS = 30;

/** Renders, per rule with `require.codeowners`, each owner set and whether an owner's approval covers it. */
export function renderCodeowners(rules: readonly RuleResult[]): string | null {
  const parts: string[] = [];
  for (const rule of rules) {
    const co = rule.codeowners;
    if (!co) continue;
    const head = `**Code owners** for ${escapeMarkdown(rule.name)}`;
    if (co.unavailable) {
      parts.push(`${head}: not evaluated (${escapeMarkdown(co.unavailable)}); the rule does not hold until it is. Re-run the check.`);
      continue;
    }
    if (co.source === null) {
      parts.push(`${head}: no CODEOWNERS on the default branch (${CODEOWNERS_LOCATIONS.join(', ')}); no file has owners.`);
      continue;
    }
    if (co.ownerSets.length === 0) {
      const n = co.unownedFiles;
      parts.push(`${head} (${codeSpan(co.source)}): none of the ${n} covered path${n === 1 ? '' : 's'} has owners.`);
      continue;
    }
    const lines = [`${head} (${codeSpan(co.source)}):`, '', '| Owners | Line | Files | Approved by |', '| --- | ---: | --- | --- |'];
    for (const set of co.ownerSets.slice(0, MAX_OWNER_SET_ROWS)) {
      const more = set.fileCount > set.examples.length ? `, … ${set.fileCount - set.examples.length} more` : '';
      const owners = set.owners.map((o) => MARKDOWN_NAMES.reviewer(o)).join(' ');
      const status = set.approvedBy ? `✅ ${mention(set.approvedBy)}` : '❌ missing';
      lines.push(`| ${owners} | ${set.line} | ${set.examples.map(escapeMarkdown).join(', ')}${more} | ${status} |`);
    }
    if (co.ownerSets.length > MAX_OWNER_SET_ROWS) lines.push('', `… and ${co.ownerSets.length - MAX_OWNER_SET_ROWS} more owner sets.`);
    if (co.unownedFiles > 0) lines.push('', `${co.unownedFiles} covered path${co.unownedFiles === 1 ? ' has' : 's have'} no owners.`);
    parts.push(lines.join('\n'));
  }
  return parts.length > 0 ? parts.join('\n\n') : null;
}

/** Renders CODEOWNERS lines GitHub would reject (it skips them). */
export function renderCodeownersProblems(problems: GateResult['codeownersProblems']): string | null {
  if (problems.length === 0) return null;
  const lines = ['**CODEOWNERS lines GitHub rejects** (it skips them, so their files may have other owners or none):', ''];
  for (const p of problems.slice(0, 20)) {
    lines.push(`- ${codeSpan(p.path)} line ${p.line}: ${escapeMarkdown(p.kind)}: ${escapeMarkdown(p.message)}`);
  }
  if (problems.length > 20) lines.push(`- … and ${problems.length - 20} more`);
  return lines.join('\n');
}

const CANNOT_APPROVE_TEXT: Record<CannotApprove['reason'], string> = {
  'pr-author': 'the author',
  'human-of-record': 'asked the agent for this PR',
  'bot-or-agent': 'agents and bots',
};

/** A commit SHA shortened to 7 characters, in backticks (escaped instead when not hexadecimal). */
function shortSha(sha: string): string {
  return /^[0-9a-f]+$/i.test(sha) ? `\`${sha.slice(0, 7)}\`` : escapeMarkdown(sha);
}

/** The how-to-override line, or null when overrides are off. */
function overrideHowTo(result: GateResult): string | null {
  if (result.overrides.allowed.length === 0) return null;
  const who = result.overrides.allowed.map(reviewerLabel).join(', ');
  return `To override: ${who} can comment \`${OVERRIDE_COMMAND} <reason>\` (it holds for the current head commit) or apply the label “${escapeMarkdown(result.overrides.label)}”.`;
}

/**
 * The first lines of the summary: the next step (as in the title) and who cannot approve; how to override; in
 * advisory mode, what enforcement would do. Output: Markdown paragraphs.
 */
export function renderNextStep(result: GateResult): string[] {
  const step = nextStep(result.rules, result.override, MARKDOWN_NAMES);
  const prefixed = result.conclusion === 'neutral' ? `Advisory: ${step.charAt(0).toLowerCase()}${step.slice(1)}` : step;
  const lines: string[] = [];
  if (!result.satisfied) {
    const who = result.cannotApprove.map((c) =>
      c.login === null ? CANNOT_APPROVE_TEXT[c.reason] : `${mention(c.login)} (${CANNOT_APPROVE_TEXT[c.reason]})`,
    );
    lines.push(`**${prefixed}.** Cannot approve: ${who.join(', ')}.`);
    const howTo = overrideHowTo(result);
    if (howTo) lines.push(howTo);
  } else lines.push(`**${prefixed}.**`);
  if (!result.override && result.rules.some((r) => r.mode === 'advisory')) {
    lines.push(
      result.enforceConclusion === 'success'
        ? 'In enforce mode this PR would pass: all review rules hold.'
        : `In enforce mode this PR would be blocked: ${unmetNeeds(result.rules, MARKDOWN_NAMES, true).join('; ')}.`,
    );
  }
  return lines;
}

const COMMAND_STATUS_TEXT: Partial<Record<OverrideCommandResult['status'], string>> = {
  'not-allowed': 'not allowed to override (see `overrides.allowed`); nothing changed',
  'overrides-off': 'overrides are off (`overrides.allowed` is empty); nothing changed',
  'empty-reason': `refused: a reason is required (\`${OVERRIDE_COMMAND} <reason>\`)`,
  'unknown-head': 'refused: the head commit at the time of the comment cannot be told; comment again',
};

/** Renders the override in force and the override commands that were refused or ended. */
export function renderOverrides(result: GateResult): string | null {
  const parts: string[] = [];
  const o = result.override;
  if (o?.source === 'label') {
    parts.push(
      `**Overridden** by ${mention(o.login)} with the label “${escapeMarkdown(o.label ?? result.overrides.label)}” at ${escapeMarkdown(o.at)}; the gate is green and the override is recorded.`,
    );
  } else if (o) {
    parts.push(
      `**Overridden** by ${mention(o.login)} at ${escapeMarkdown(o.at)} for head commit ${shortSha(o.headSha)}, reason: “${escapeMarkdown(o.reason ?? '')}”. The gate is green and the override is recorded; a later push by an agent (or one that makes approvals stale) ends it.`,
    );
  }
  const listed = result.overrideCommands.filter((c) => c.status !== 'applied' && c.status !== 'superseded');
  if (listed.length > 0) {
    const lines = ['**Override commands not in force:**', ''];
    for (const c of listed.slice(0, 20)) {
      const text =
        c.status === 'ended-by-push'
          ? `ended by a later push${c.endedBy ? ` (${shortSha(c.endedBy)})` : ' (its commit is no longer in the PR)'}; comment again to override the new head`
          : COMMAND_STATUS_TEXT[c.status]!;
      lines.push(`- ${mention(c.login)} at ${escapeMarkdown(c.at)}: ${text}`);
    }
    if (listed.length > 20) lines.push(`- … and ${listed.length - 20} more`);
    parts.push(lines.join('\n'));
  }
  if (result.ignoredOverrides.length > 0) {
    const n = result.ignoredOverrides.length;
    parts.push(
      `**Override label ignored:** applied by ${result.ignoredOverrides.map((i) => mention(i.login)).join(', ')}, who ${n === 1 ? 'is' : 'are'} not allowed to override (see \`overrides.allowed\`).`,
    );
  }
  return parts.length > 0 ? parts.join('\n\n') : null;
}

/**
 * Cuts a summary to GitHub's 65,535 characters, ending with a note that says so and how much was left out. The
 * verdict is in the first lines, so it survives.
 */
export function truncate(summary: string): string {
  if (summary.length <= OUTPUT_LIMIT) return summary;
  const note = (cut: number) =>
    `\n\n---\n**Summary cut here:** it was longer than GitHub’s limit of 65,535 characters; the last ${cut.toLocaleString('en-US')} characters were left out.`;
  const kept = summary.slice(0, OUTPUT_LIMIT - note(summary.length).length);
  return kept + note(summary.length - kept.length);
}

/**
 * Builds the check run for an evaluated gate: the title names the next step; the first summary lines repeat it,
 * say who cannot approve and how to override, and (advisory) what enforcement would do; the evidence follows.
 */
export function renderGateCheckRun(
  result: GateResult,
  verdict: AuthorshipVerdict,
  touched: readonly TouchedGroup[],
  context: { configOrigin: 'default' | 'file'; mode: string },
): CheckRunContent {
  const sections: string[] = [renderNextStep(result).join('\n\n')];
  const overrides = renderOverrides(result);
  if (overrides) sections.push(overrides);
  sections.push('---', renderAuthorship(verdict), renderTouchedGroups(touched), renderRules(result.rules));
  const owners = renderCodeowners(result.rules);
  if (owners) sections.push(owners);
  const problems = renderCodeownersProblems(result.codeownersProblems);
  if (problems) sections.push(problems);
  sections.push(
    context.configOrigin === 'default'
      ? `_Configuration: built-in defaults (no \`.github/ai-review.yml\` on the default branch or in the organization’s \`.github\` repository), mode ${context.mode}._`
      : `_Configuration: \`.github/ai-review.yml\` from the default branch, mode ${context.mode}._`,
  );
  return { conclusion: result.conclusion, output: { title: result.title, summary: truncate(sections.join('\n\n')) } };
}

/** The title of the `failure` check run for an invalid configuration: where the first problem is. */
export function configErrorTitle(errors: readonly ConfigError[]): string {
  const first = errors[0];
  if (!first) return 'Configuration error';
  const where = `Configuration error in ${first.source}${first.line !== undefined ? ` line ${first.line}` : ''}`;
  return cutTitle(errors.length > 1 ? `${where} (and ${errors.length - 1} more problem${errors.length === 2 ? '' : 's'})` : where);
}

/** Builds the `failure` check run for an invalid configuration: what is wrong and where. */
export function renderConfigErrorCheckRun(errors: readonly ConfigError[]): CheckRunContent {
  const title = configErrorTitle(errors);
  const lines = [
    `**${escapeMarkdown(title)}.** The gate could not be evaluated because the configuration is invalid. Fix the file on the default branch (check it first with \`npx ai-review validate\`); the check re-runs on the next push to it.`,
    '',
    '| File | Line | Key | Problem |',
    '| --- | ---: | --- | --- |',
  ];
  for (const e of errors.slice(0, 50)) {
    lines.push(`| ${escapeMarkdown(e.source)} | ${e.line ?? '—'} | ${escapeMarkdown(e.path)} | ${escapeMarkdown(e.message)} |`);
  }
  if (errors.length > 50) lines.push('', `… and ${errors.length - 50} more problems.`);
  return { conclusion: 'failure', output: { title, summary: truncate(lines.join('\n')) } };
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
