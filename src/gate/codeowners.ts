/**
 * `require.codeowners` of a rule: every changed file the rule covers that has owners in the default branch's
 * CODEOWNERS needs a qualifying approval from one of that file's owners. Pure.
 */
import { parseCodeownersCached, parseOwner, type ParsedCodeowners } from '../codeowners/index.js';
import type { EffectiveConfig } from '../config/load.js';
import type { Rule } from '../config/schema.js';
import type { ChangedFile } from '../paths/match.js';
import type { CodeownersRuleResult, GateFacts, GateResult, OwnerSetResult } from './types.js';

const lower = (s: string): string => s.toLowerCase();
const MAX_EXAMPLES = 3;

/** The CODEOWNERS of the facts, parsed (cached by content), or null when there is none / it was not read. */
export function parsedCodeowners(facts: Pick<GateFacts, 'codeowners'>): ParsedCodeowners | null {
  return facts.codeowners ? parseCodeownersCached(facts.codeowners.content, facts.codeowners.path) : null;
}

/**
 * Lines of the facts' CODEOWNERS that GitHub would reject: those found by the parser, and those GitHub reported
 * (REST "List CODEOWNERS errors", when the shell passed them), one per line and kind, sorted by line.
 */
export function codeownersProblems(facts: Pick<GateFacts, 'codeowners'>): GateResult['codeownersProblems'] {
  const parsed = parsedCodeowners(facts);
  if (!parsed || !facts.codeowners) return [];
  const out = new Map<string, GateResult['codeownersProblems'][number]>();
  for (const p of parsed.problems) out.set(`${p.line}:${p.kind}`, { path: parsed.path, line: p.line, kind: p.kind, message: p.message });
  for (const e of facts.codeowners.errors ?? []) {
    const key = `${e.line}:${e.kind}`;
    if (!out.has(key))
      out.set(key, { path: parsed.path, line: e.line, kind: e.kind, message: e.suggestion ?? e.message?.split('\n')[0] ?? e.kind });
  }
  return [...out.values()].sort((a, b) => a.line - b.line);
}

/**
 * The changed paths a rule covers: the files of its `if.paths` groups, or every changed file when it names none.
 * A rename contributes its old and its new path (both need their owners, like a change to each).
 */
export function coveredPaths(rule: Rule, config: Pick<EffectiveConfig, 'compiledPathGroups'>, files: readonly ChangedFile[]): string[] {
  const groups = rule.if.paths?.map((g) => config.compiledPathGroups.matchers.get(g)).filter((m) => m !== undefined);
  const out = new Set<string>();
  for (const file of files) {
    const paths =
      file.previous_filename && file.previous_filename !== file.filename ? [file.filename, file.previous_filename] : [file.filename];
    if (groups && !paths.some((p) => groups.some((matches) => matches(p)))) continue;
    for (const p of paths) out.add(p);
  }
  return [...out];
}

/** Teams (`@org/slug`, lower case) owning a covered path of a rule that requires code owners. */
export function codeownerTeams(
  rules: readonly Rule[],
  config: Pick<EffectiveConfig, 'compiledPathGroups'>,
  facts: Pick<GateFacts, 'changedFiles' | 'codeowners'>,
): string[] {
  const parsed = parsedCodeowners(facts);
  if (!parsed || !facts.changedFiles) return [];
  const teams = new Set<string>();
  for (const rule of rules) {
    if (!rule.require.codeowners) continue;
    for (const path of coveredPaths(rule, config, facts.changedFiles)) {
      for (const owner of parsed.ownerOf(path)?.owners ?? []) {
        const o = parseOwner(owner);
        if (o?.kind === 'team') teams.add(o.team);
      }
    }
  }
  return [...teams].sort();
}

/** Whether `login` is one of `owners` (a user, a member of a team, or the login an email owner resolves to). */
export function isOwner(login: string, owners: readonly string[], facts: Pick<GateFacts, 'teamMembers' | 'codeownerEmails'>): boolean {
  const l = lower(login);
  return owners.some((owner) => {
    const o = parseOwner(owner);
    if (!o) return false;
    if (o.kind === 'user') return o.login === l;
    if (o.kind === 'team') return (facts.teamMembers[o.team] ?? []).includes(l);
    const resolved = facts.codeownerEmails?.[o.email];
    return resolved !== undefined && lower(resolved) === l;
  });
}

/**
 * Evaluates the CODEOWNERS requirement of `rule`. `approvers` are the logins with a qualifying approval (not
 * disqualified: author, bots and agents, human of record, stale), oldest first. Fails closed (holds false, with
 * `unavailable`) when the shell gave no changed files or did not read CODEOWNERS.
 */
export function evaluateCodeowners(
  rule: Rule,
  config: Pick<EffectiveConfig, 'compiledPathGroups'>,
  facts: GateFacts,
  approvers: readonly string[],
): CodeownersRuleResult {
  const empty = { ownerSets: [], unownedFiles: 0, missingOwners: [] };
  if (facts.changedFiles === undefined) {
    return { ...empty, source: null, unavailable: 'the changed files were not listed', holds: false };
  }
  if (facts.codeowners === undefined) return { ...empty, source: null, unavailable: 'CODEOWNERS was not read', holds: false };
  const parsed = parsedCodeowners(facts);
  if (!parsed) return { ...empty, source: null, unavailable: null, holds: true };
  const sets = new Map<number, OwnerSetResult>();
  let unownedFiles = 0;
  for (const path of coveredPaths(rule, config, facts.changedFiles)) {
    const entry = parsed.ownerOf(path);
    if (!entry || entry.owners.length === 0) {
      unownedFiles++;
      continue;
    }
    let set = sets.get(entry.line);
    if (!set) {
      set = { line: entry.line, pattern: entry.pattern, owners: entry.owners, fileCount: 0, examples: [], approvedBy: null };
      sets.set(entry.line, set);
    }
    set.fileCount++;
    if (set.examples.length < MAX_EXAMPLES) set.examples.push(path);
  }
  const ownerSets = [...sets.values()].sort((a, b) => a.line - b.line);
  for (const set of ownerSets) set.approvedBy = approvers.find((login) => isOwner(login, set.owners, facts)) ?? null;
  const missingOwners = [...new Set(ownerSets.filter((s) => s.approvedBy === null).flatMap((s) => s.owners))];
  return {
    source: parsed.path,
    unavailable: null,
    ownerSets,
    unownedFiles,
    holds: missingOwners.length === 0 && ownerSets.every((s) => s.approvedBy !== null),
    missingOwners,
  };
}
