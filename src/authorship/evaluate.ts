/**
 * Accuracy metrics of the classifier against labelled PRs (pure): recall of `class: agent` per expected agent,
 * agent-name accuracy, false-positive rate on human and automation PRs, and the confusion between agents.
 * Shared by `ai-review classify --summary` and test/authorship/accuracy.test.ts.
 */
import type { AuthorClass, AuthorshipVerdict } from './types.js';

/** The `expected` label of a dataset line. */
export interface ExpectedLabel {
  class: AuthorClass;
  agent?: string | null;
}

/** One labelled verdict. */
export interface LabelledVerdict {
  expected: ExpectedLabel;
  verdict: Pick<AuthorshipVerdict, 'class' | 'agent'>;
}

/** Figures for the PRs of one expected agent. Rates are 0..1, or null when the denominator is 0. */
export interface AgentFigures {
  agent: string;
  /** PRs labelled with this agent. */
  total: number;
  /** Of those, classified `agent` (any name). */
  classifiedAgent: number;
  /** Of those, classified `assisted` (an agent-written PR read as a person's: a miss for the gate). */
  classifiedAssisted: number;
  /** Of those, classified `agent` with this name. */
  rightName: number;
  /** classifiedAgent / total. */
  recall: number | null;
  /** rightName / classifiedAgent. */
  nameAccuracy: number | null;
}

/** Figures for the PRs of one expected non-agent class. */
export interface NonAgentFigures {
  class: 'human' | 'automation' | 'assisted';
  total: number;
  /** Classified `agent`: false positives. */
  classifiedAgent: number;
  classifiedHuman: number;
  classifiedAutomation: number;
  /** Classified `assisted`: not a false positive (the built-in rules treat it as human), but counted. */
  classifiedAssisted: number;
  /** classifiedAgent / total. */
  falsePositiveRate: number | null;
}

/** The whole evaluation. */
export interface EvaluationSummary {
  agents: AgentFigures[];
  /** Over all agent-labelled PRs. */
  overall: AgentFigures;
  human: NonAgentFigures;
  automation: NonAgentFigures;
  /** PRs labelled `assisted` (a person's PR an agent co-authored), when the data has any. */
  assisted: NonAgentFigures;
  /** human + automation false positives over human + automation PRs. */
  nonAgentFalsePositiveRate: number | null;
  /** expected agent → predicted (`agent name`, `human`, `automation`) → count. */
  confusion: Record<string, Record<string, number>>;
}

function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

function agentFigures(agent: string, rows: LabelledVerdict[]): AgentFigures {
  const classifiedAgent = rows.filter((r) => r.verdict.class === 'agent').length;
  const rightName = rows.filter((r) => r.verdict.class === 'agent' && r.verdict.agent === r.expected.agent).length;
  return {
    agent,
    total: rows.length,
    classifiedAgent,
    classifiedAssisted: rows.filter((r) => r.verdict.class === 'assisted').length,
    rightName,
    recall: ratio(classifiedAgent, rows.length),
    nameAccuracy: ratio(rightName, classifiedAgent),
  };
}

function nonAgentFigures(cls: NonAgentFigures['class'], rows: LabelledVerdict[]): NonAgentFigures {
  const count = (c: AuthorClass): number => rows.filter((r) => r.verdict.class === c).length;
  return {
    class: cls,
    total: rows.length,
    classifiedAgent: count('agent'),
    classifiedHuman: count('human'),
    classifiedAutomation: count('automation'),
    classifiedAssisted: count('assisted'),
    falsePositiveRate: ratio(count('agent'), rows.length),
  };
}

/** Computes the figures. Agent-labelled rows without an agent name are grouped under `(unnamed)`. Agents sort by name. */
export function evaluate(rows: readonly LabelledVerdict[]): EvaluationSummary {
  const byAgent = new Map<string, LabelledVerdict[]>();
  const confusion: Record<string, Record<string, number>> = {};
  const agentRows: LabelledVerdict[] = [];
  for (const row of rows) {
    if (row.expected.class !== 'agent') continue;
    const name = row.expected.agent ?? '(unnamed)';
    agentRows.push(row);
    const list = byAgent.get(name) ?? [];
    list.push(row);
    byAgent.set(name, list);
    const predicted = row.verdict.class === 'agent' ? (row.verdict.agent ?? '(unnamed)') : row.verdict.class;
    const line = (confusion[name] ??= {});
    line[predicted] = (line[predicted] ?? 0) + 1;
  }
  const human = nonAgentFigures(
    'human',
    rows.filter((r) => r.expected.class === 'human'),
  );
  const automation = nonAgentFigures(
    'automation',
    rows.filter((r) => r.expected.class === 'automation'),
  );
  const assisted = nonAgentFigures(
    'assisted',
    rows.filter((r) => r.expected.class === 'assisted'),
  );
  return {
    agents: [...byAgent.keys()].sort().map((name) => agentFigures(name, byAgent.get(name) ?? [])),
    overall: agentFigures('(all agents)', agentRows),
    human,
    automation,
    assisted,
    nonAgentFalsePositiveRate: ratio(human.classifiedAgent + automation.classifiedAgent, human.total + automation.total),
    confusion,
  };
}

function pct(r: number | null): string {
  return r === null ? '-' : `${(r * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Renders the summary as Markdown tables (the `--summary` output and the figures in docs/authorship.md). */
export function formatSummary(summary: EvaluationSummary): string {
  const agentRows = [...summary.agents, summary.overall].map((a) => [
    a.agent,
    String(a.total),
    String(a.classifiedAgent),
    pct(a.recall),
    String(a.rightName),
    pct(a.nameAccuracy),
    String(a.classifiedAssisted),
  ]);
  const nonAgentClasses = [summary.human, summary.automation, ...(summary.assisted.total > 0 ? [summary.assisted] : [])];
  const nonAgent = nonAgentClasses.map((n) => [
    n.class,
    String(n.total),
    String(n.classifiedAgent),
    pct(n.falsePositiveRate),
    String(n.classifiedHuman),
    String(n.classifiedAutomation),
    String(n.classifiedAssisted),
  ]);
  const predicted = [...new Set(Object.values(summary.confusion).flatMap((r) => Object.keys(r)))].sort();
  const confusionRows = Object.keys(summary.confusion)
    .sort()
    .map((expected) => [expected, ...predicted.map((p) => String(summary.confusion[expected]?.[p] ?? 0))]);
  return [
    'Agent PRs (recall = classified agent / total; name accuracy = right agent / classified agent)',
    '',
    table(['expected agent', 'PRs', 'classified agent', 'recall', 'right name', 'name accuracy', 'classified assisted'], agentRows),
    '',
    `Human and automation PRs (false positive = classified agent; overall false-positive rate ${pct(summary.nonAgentFalsePositiveRate)})`,
    '',
    table(
      [
        'expected class',
        'PRs',
        'classified agent',
        'false-positive rate',
        'classified human',
        'classified automation',
        'classified assisted',
      ],
      nonAgent,
    ),
    '',
    'Confusion (rows: expected agent; columns: predicted agent or class)',
    '',
    predicted.length === 0 ? '(no agent PRs)' : table(['expected \\ predicted', ...predicted], confusionRows),
    '',
  ].join('\n');
}
