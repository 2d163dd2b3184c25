/** Accuracy metrics (shared by `classify --summary` and the accuracy test). */
import { evaluate, formatSummary, type LabelledVerdict } from '../../src/authorship/evaluate.js';

const row = (
  expected: LabelledVerdict['expected'],
  cls: LabelledVerdict['verdict']['class'],
  agent: string | null = null,
): LabelledVerdict => ({
  expected,
  verdict: { class: cls, agent },
});

const rows: LabelledVerdict[] = [
  row({ class: 'agent', agent: 'codex' }, 'agent', 'codex'),
  row({ class: 'agent', agent: 'codex' }, 'agent', 'codex'),
  row({ class: 'agent', agent: 'codex' }, 'agent', 'claude-code'),
  row({ class: 'agent', agent: 'codex' }, 'human'),
  row({ class: 'agent', agent: 'codex' }, 'assisted', 'codex'),
  row({ class: 'agent', agent: 'devin' }, 'agent', 'devin'),
  row({ class: 'human' }, 'human'),
  row({ class: 'human' }, 'human'),
  row({ class: 'human' }, 'human'),
  row({ class: 'human' }, 'agent', 'codex'),
  row({ class: 'automation' }, 'automation', 'dependabot'),
  row({ class: 'automation' }, 'human'),
  row({ class: 'assisted', agent: 'claude-code' }, 'assisted', 'claude-code'),
  row({ class: 'assisted', agent: 'cursor' }, 'human'),
];

test('recall, name accuracy, false positives and confusion', () => {
  const s = evaluate(rows);
  expect(s.agents.map((a) => a.agent)).toEqual(['codex', 'devin']);
  expect(s.agents[0]).toEqual({
    agent: 'codex',
    total: 5,
    classifiedAgent: 3,
    classifiedAssisted: 1,
    rightName: 2,
    recall: 0.6,
    nameAccuracy: 2 / 3,
  });
  expect(s.agents[1]).toMatchObject({ total: 1, recall: 1, nameAccuracy: 1, classifiedAssisted: 0 });
  expect(s.overall).toMatchObject({ total: 6, classifiedAgent: 4, classifiedAssisted: 1, rightName: 3, recall: 4 / 6, nameAccuracy: 0.75 });
  expect(s.human).toEqual({
    class: 'human',
    total: 4,
    classifiedAgent: 1,
    classifiedHuman: 3,
    classifiedAutomation: 0,
    classifiedAssisted: 0,
    falsePositiveRate: 0.25,
  });
  // Assisted-labelled PRs are their own group: neither agent recall nor a false positive.
  expect(s.assisted).toMatchObject({ class: 'assisted', total: 2, classifiedAssisted: 1, classifiedHuman: 1, classifiedAgent: 0 });
  expect(s.automation).toMatchObject({ total: 2, classifiedAgent: 0, classifiedHuman: 1, falsePositiveRate: 0 });
  expect(s.nonAgentFalsePositiveRate).toBeCloseTo(1 / 6, 10);
  expect(s.confusion).toEqual({ codex: { codex: 2, 'claude-code': 1, human: 1, assisted: 1 }, devin: { devin: 1 } });
});

test('empty groups give null rates, not NaN', () => {
  const s = evaluate([]);
  expect(s.overall.recall).toBeNull();
  expect(s.human.falsePositiveRate).toBeNull();
  expect(s.nonAgentFalsePositiveRate).toBeNull();
});

test('formatSummary renders the figures', () => {
  const text = formatSummary(evaluate(rows));
  expect(text).toContain('| codex ');
  expect(text).toMatch(/\| codex\s+\| 5\s+\| 3\s+\| 60\.0%\s+\| 2\s+\| 66\.7%\s+\| 1\s+\|/);
  expect(text).toMatch(/\| assisted\s+\| 2\s+\| 0\s+\| 0\.0%\s+\| 1\s+\| 0\s+\| 1\s+\|/);
  expect(text).toMatch(/\| human\s+\| 4\s+\| 1\s+\| 25\.0%/);
  expect(text).toContain('overall false-positive rate 16.7%');
});
