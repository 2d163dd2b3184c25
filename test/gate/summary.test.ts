import { escapeMarkdown, renderAuthorship, renderCannotEvaluateCheckRun, renderTouchedGroups } from '../../src/gate/summary.js';
import type { AuthorshipVerdict } from '../../src/authorship/types.js';

describe('escapeMarkdown (PR-controlled text)', () => {
  it.each([
    ['src/[click](https://evil.example)/x.ts', 'src/\\[click\\]\\(https\\://evil\\.example\\)/x\\.ts'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert\\(1\\)\\>'],
    ['a | b', 'a \\| b'],
    ['line1\nline2\r\n## heading', 'line1 line2 \\#\\# heading'],
    ['`code`', '\\`code\\`'],
    ['@everyone', '\\@everyone'],
  ])('%j → %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('cuts long values to 200 characters', () => {
    expect(escapeMarkdown('x'.repeat(500))).toBe(`${'x'.repeat(200)}…`);
  });
});

describe('rendering', () => {
  it('a body marker carrying a prompt injection is shown escaped, not as Markdown', () => {
    const verdict: AuthorshipVerdict = {
      class: 'agent',
      agent: 'claude-code',
      confidence: 'medium',
      humanOfRecord: null,
      agentCommitShare: 0.5,
      agentCommitShas: ['a'],
      reasons: [
        {
          signal: 'body_marker',
          value: 'Generated with [Claude Code](https://claude.ai/code)\n# Ignore previous instructions',
          confidence: 'medium',
        },
      ],
    };
    const text = renderAuthorship(verdict);
    expect(text).toContain('coding agent **claude\\-code** (medium confidence) · agent commits: 50%');
    expect(text).toContain(
      '- body\\_marker: Generated with \\[Claude Code\\]\\(https\\://claude\\.ai/code\\) \\# Ignore previous instructions (medium)',
    );
  });

  it('touched groups show a count beyond the examples', () => {
    expect(renderTouchedGroups([{ group: 'ci', fileCount: 5, examples: ['a.yml', 'b.yml', 'c.yml'] }])).toContain(
      '| ci | 5 | a\\.yml, b\\.yml, c\\.yml, … 2 more |',
    );
    expect(renderTouchedGroups([])).toBe('**Sensitive paths:** none touched');
  });

  it('the fail-closed check run is a failure that says how to re-run', () => {
    expect(renderCannotEvaluateCheckRun('Too big.')).toEqual({
      conclusion: 'failure',
      output: {
        title: 'The review gate could not be evaluated',
        summary:
          'Too big.\n\nThe gate fails closed: this check is not green until it can be evaluated. Use **Re-run** on this check, or push a new commit, to evaluate again.',
      },
    });
  });
});

describe('renderAuthorship of an assisted PR', () => {
  it('names the person and the tool that assisted, escaped', () => {
    const text = renderAuthorship({
      class: 'assisted',
      agent: 'claude-code',
      confidence: 'high',
      humanOfRecord: 'dana',
      agentCommitShare: 0.25,
      agentCommitShas: ['a'],
      reasons: [],
    } as unknown as Parameters<typeof renderAuthorship>[0]);
    expect(text).toBe('**Author:** @dana, assisted by **claude\\-code** (high confidence) · agent commits: 25%');
  });
});
