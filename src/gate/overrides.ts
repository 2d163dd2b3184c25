/**
 * Overrides: the override label, and `/ai-review override <reason>` PR comments from someone in
 * `overrides.allowed`. Pure.
 *
 * A comment override holds for the head SHA the PR had when the comment was written (or last edited); a later
 * push ends it: by an agent (always), by anyone but the person who overrode (`stale_on_push: others`), by anyone
 * (`stale_on_push: any`). The label override holds while the label stays on the PR, as before.
 */
import type { EffectiveConfig } from '../config/load.js';
import { inReviewerList } from './reviewer-list.js';
import { headShaAt, laterPushes } from './pushes.js';
import type { CommentFact, GateFacts, GateResult, OverrideCommandResult, OverrideRecord } from './types.js';

const lower = (s: string): string => s.toLowerCase();

/** The comment command, as users type it. */
export const OVERRIDE_COMMAND = '/ai-review override';

/** Longest reason kept, in characters (the rest is cut with "…"). */
export const MAX_REASON_LENGTH = 500;

/**
 * Parses an override command: the comment's first non-blank line must start with `/ai-review override`
 * (case-insensitive) followed by a space or the end of the line; the reason is everything after it, whitespace
 * folded to single spaces and cut to 500 characters. Output: `{ reason }` (`reason` null when empty), or null
 * when the comment is not an override command.
 */
export function parseOverrideCommand(body: string): { reason: string | null } | null {
  const text = body.replace(/^\s+/, '');
  const match = /^\/ai-review[ \t]+override(?=\s|$)/i.exec(text);
  if (!match) return null;
  const folded = text.slice(match[0].length).replace(/\s+/g, ' ').trim();
  if (folded === '') return { reason: null };
  return { reason: folded.length > MAX_REASON_LENGTH ? `${folded.slice(0, MAX_REASON_LENGTH)}…` : folded };
}

/** Whether any comment is an override command (the shell then needs the members of `overrides.allowed` teams). */
export function hasOverrideCommand(comments: readonly Pick<CommentFact, 'body'>[] | undefined): boolean {
  return (comments ?? []).some((c) => parseOverrideCommand(c.body) !== null);
}

function isAllowed(login: string, config: EffectiveConfig, facts: GateFacts): boolean {
  const allowed = config.file.overrides.allowed;
  return allowed.length > 0 && inReviewerList(login, allowed, facts.teamMembers);
}

/** The label override: in force when the label's current application was made by someone allowed. */
function labelOverride(
  config: EffectiveConfig,
  facts: GateFacts,
): { override: OverrideRecord | null; ignored: GateResult['ignoredOverrides'] } {
  const label = config.file.overrides.label;
  const present = facts.pullRequest.labels.some((l) => lower(l) === lower(label));
  if (!present) return { override: null, ignored: [] };
  const events = facts.overrideLabelEvents
    .filter((e) => lower(e.label) === lower(label))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const ignored: GateResult['ignoredOverrides'] = [];
  // The label's current application is the last `labeled` event after the last `unlabeled` one.
  let current: { actor: string; at: string } | null = null;
  for (const event of events) {
    if (event.action === 'unlabeled') {
      current = null;
      continue;
    }
    current = { actor: event.actor, at: event.at };
    if (!isAllowed(event.actor, config, facts)) ignored.push({ login: event.actor, at: event.at });
  }
  const override: OverrideRecord | null =
    current && isAllowed(current.actor, config, facts)
      ? { login: current.actor, at: current.at, headSha: facts.pullRequest.headSha, reason: null, source: 'label', label }
      : null;
  return { override, ignored };
}

/** Every override command with its status (`superseded` is decided by the caller), oldest first. */
function commentOverrides(config: EffectiveConfig, facts: GateFacts): OverrideCommandResult[] {
  const mode = config.staleOnPush === 'off' ? 'agent' : config.staleOnPush;
  const commands: OverrideCommandResult[] = [];
  for (const comment of facts.comments ?? []) {
    const parsed = parseOverrideCommand(comment.body);
    if (!parsed) continue;
    const at = comment.updatedAt ?? comment.createdAt;
    const base = { commentId: comment.id, login: comment.login, at, reason: parsed.reason, headSha: null };
    if (config.file.overrides.allowed.length === 0) commands.push({ ...base, status: 'overrides-off' });
    else if (!isAllowed(comment.login, config, facts)) commands.push({ ...base, status: 'not-allowed' });
    else if (parsed.reason === null) commands.push({ ...base, status: 'empty-reason' });
    else {
      const headSha = comment.headSha ?? headShaAt(facts, at);
      if (headSha === null) {
        commands.push({ ...base, status: 'unknown-head' });
        continue;
      }
      const later = laterPushes(facts, headSha, comment.login, mode);
      if (later.status === 'fresh') commands.push({ ...base, headSha, status: 'applied' });
      else commands.push({ ...base, headSha, status: 'ended-by-push', ...(later.status === 'stale' ? { endedBy: later.sha } : {}) });
    }
  }
  return commands.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.commentId - b.commentId);
}

/**
 * Decides the override in force: the latest valid one of the label and the comment commands. Output: the override
 * record (or null), label applications by people not allowed, and every comment command with its status.
 */
export function evaluateOverrides(
  config: EffectiveConfig,
  facts: GateFacts,
): Pick<GateResult, 'override' | 'ignoredOverrides' | 'overrideCommands'> {
  const label = labelOverride(config, facts);
  const commands = commentOverrides(config, facts);
  const applied = commands.filter((c) => c.status === 'applied');
  const latestComment = applied[applied.length - 1];
  let override = label.override;
  if (latestComment && (!override || Date.parse(latestComment.at) >= Date.parse(override.at))) {
    override = {
      login: latestComment.login,
      at: latestComment.at,
      headSha: latestComment.headSha!,
      reason: latestComment.reason,
      source: 'comment',
    };
  }
  for (const c of applied) if (override?.source !== 'comment' || c !== latestComment) c.status = 'superseded';
  return { override, ignoredOverrides: label.ignored, overrideCommands: commands };
}
