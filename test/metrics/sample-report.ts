/**
 * A deterministic sample report (eight weeks of PRs by two agents, an assisted group and humans, review requests
 * to two teams, two rules in a pilot, overrides): the input of the HTML report's browser test and of the
 * screenshot in docs/report-sample.png. Built with the report's own pure functions from synthetic rows.
 */
import { buildReport, type MetricsReport, type ReportPullRequest } from '../../src/metrics/report.js';
import type { OverrideRow, ReviewRequestSpanRow, ReviewRow, RuleOutcomeRow } from '../../src/metrics/store.js';

const START = Date.parse('2026-01-05T09:00:00Z'); // a Monday
const HOUR = 3_600_000;
export const SAMPLE_NOW = new Date('2026-03-02T09:00:00Z');

/** A small deterministic pseudo-random sequence (no Math.random: the sample must not change between runs). */
function sequence(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/** The sample report (by agent) and its weekly counterpart (by agent and week). */
export function sampleReports(): { report: MetricsReport; weekly: MetricsReport } {
  const rnd = sequence(42);
  const authors: Array<{ author_class: string; agent: string | null; mergeRate: number; hours: number }> = [
    { author_class: 'human', agent: null, mergeRate: 0.85, hours: 20 },
    { author_class: 'agent', agent: 'copilot', mergeRate: 0.45, hours: 40 },
    { author_class: 'agent', agent: 'claude-code', mergeRate: 0.6, hours: 30 },
    { author_class: 'assisted', agent: 'codex', mergeRate: 0.75, hours: 26 },
  ];
  const types = ['feat', 'fix', 'docs', 'test', 'refactor', 'chore'];
  const prs: ReportPullRequest[] = [];
  const spans: ReviewRequestSpanRow[] = [];
  const reviews: ReviewRow[] = [];
  const ruleOutcomes: RuleOutcomeRow[] = [];
  const overrides: OverrideRow[] = [];
  let number = 1;
  for (let week = 0; week < 8; week += 1) {
    for (const a of authors) {
      const count = 3 + Math.floor(rnd() * 5) + (a.author_class === 'agent' ? week : 0);
      for (let i = 0; i < count; i += 1) {
        const created = START + week * 7 * 24 * HOUR + Math.floor(rnd() * 5 * 24) * HOUR;
        const roll = rnd();
        const merged = roll < a.mergeRate;
        const closed = !merged && roll < a.mergeRate + 0.25;
        const end = created + Math.max(1, a.hours * (0.3 + rnd() * 1.5)) * HOUR;
        const iso = (ms: number): string => new Date(ms).toISOString();
        const pr: ReportPullRequest = {
          repository: i % 3 === 0 ? 'acme/web' : 'acme/api',
          number,
          author_class: a.author_class,
          agent: a.agent,
          state: merged ? 'merged' : closed ? 'closed' : 'open',
          created_at: iso(created),
          merged_at: merged ? iso(end) : null,
          closed_at: merged || closed ? iso(end) : null,
          task_type: types[Math.floor(rnd() * types.length)] ?? 'other',
          first_evaluated_at: iso(created + 60_000),
          time_to_first_review_s: Math.round(a.hours * 600 * (0.5 + rnd())),
          time_to_merge_s: merged ? (end - created) / 1000 : null,
          review_rounds: Math.floor(rnd() * 3),
          human_rework: a.author_class === 'agent' ? (rnd() < 0.3 ? 1 : 0) : null,
          overridden: rnd() < 0.05 ? 1 : 0,
          merged_without_review: merged && rnd() < 0.05 ? 1 : 0,
          merged_without_qualifying_approval: 0,
        };
        prs.push(pr);
        const context = { author_class: pr.author_class, agent: pr.agent, created_at: pr.created_at, state: pr.state };
        const team = rnd() < 0.5 ? '@acme/platform' : '@acme/security';
        const answered = rnd() < 0.8 || pr.state !== 'open';
        const wait = Math.round(a.hours * 900 * (0.2 + rnd()));
        spans.push({
          repository: pr.repository,
          number,
          reviewer: team,
          reviewer_type: 'team',
          requested_at: iso(created + HOUR),
          outcome: answered ? 'reviewed' : 'open',
          ended_at: answered ? iso(created + HOUR + wait * 1000) : null,
          seconds_to_review: answered ? wait : null,
          ...context,
        });
        reviews.push({
          repository: pr.repository,
          number,
          reviewer: rnd() < 0.5 ? 'bob' : 'erin',
          submitted_at: iso(created + 2 * HOUR),
          ...context,
        });
        if (a.author_class !== 'human') {
          const blocked = rnd() < 0.4;
          ruleOutcomes.push({
            repository: pr.repository,
            number,
            rule: rnd() < 0.5 ? 'security-review' : 'agent-config-review',
            mode: 'advisory',
            first_applied_at: iso(created + 60_000),
            blocked: blocked ? 1 : 0,
            first_held_at: iso(created + 4 * HOUR),
            merged_while_not_holding: merged && blocked && rnd() < 0.3 ? 1 : 0,
            ready_to_hold_s: 4 * 3600,
            merged_at: pr.merged_at,
            ...context,
          });
        }
        if (pr.overridden === 1) {
          overrides.push({
            repository: pr.repository,
            number,
            login: 'lead',
            at: iso(created + 3 * HOUR),
            head_sha: 'f'.repeat(40),
            reason: 'Hotfix for the <incident>',
            source: 'comment',
            author_class: pr.author_class,
            agent: pr.agent,
          });
        }
        number += 1;
      }
    }
  }
  const openSpans = spans.filter((s) => s.outcome === 'open');
  const options = { now: SAMPLE_NOW, since: new Date(START), repository: null };
  const sections = { spans, openSpans, reviews, ruleOutcomes, overrides };
  return {
    report: buildReport(prs, [], { ...options, by: ['agent'] }, sections),
    weekly: buildReport(prs, [], { ...options, by: ['agent', 'week'] }, sections),
  };
}
