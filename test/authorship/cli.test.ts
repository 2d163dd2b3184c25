/** `ai-review classify`: JSON Lines in, verdict lines or summary out, malformed lines reported with their number. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { DEFAULT_AUTHORSHIP_OPTIONS } from '../../src/authorship/classify.js';
import type { AuthorshipOptions } from '../../src/authorship/types.js';
import { loadAuthorshipOptions, register, runClassify } from '../../src/cli/classify.js';
import { commit, pr } from './helpers.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function classify(lines: string[], options: AuthorshipOptions = DEFAULT_AUTHORSHIP_OPTIONS, summary = false) {
  const out = sink();
  const err = sink();
  const result = await runClassify({ input: Readable.from([lines.join('\n')]), output: out.stream, errors: err.stream, options, summary });
  return { result, out: out.text(), err: err.text() };
}

const copilotLine = JSON.stringify({
  id: 'a',
  ...pr({ user: { login: 'Copilot', id: 198982749, type: 'Bot' }, assignees: [{ login: 'Copilot' }, { login: 'mona' }] }, [
    commit({ author: { login: 'Copilot', id: 198982749, type: 'Bot' } }),
  ]),
  expected: { class: 'agent', agent: 'copilot' },
});
const humanLine = JSON.stringify({ id: 7, ...pr(), expected: { class: 'human' } });

test('one output line per input line, in the documented shape', async () => {
  const { result, out, err } = await classify([copilotLine, '', humanLine]);
  expect(result).toEqual({ classified: 2, failed: 0, labelled: 2 });
  expect(err).toBe('');
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toEqual({
    id: 'a',
    class: 'agent',
    agent: 'copilot',
    confidence: 'high',
    human_of_record: 'mona',
    agent_commit_share: 1,
    reasons: expect.arrayContaining([{ signal: 'pr_author_id', value: '198982749', confidence: 'high', agent: 'copilot' }]),
  });
  expect(lines[1]).toEqual({
    id: 7,
    class: 'human',
    agent: null,
    confidence: null,
    human_of_record: null,
    agent_commit_share: 0,
    reasons: [],
  });
});

test('malformed lines are reported with their line number and skipped', async () => {
  const { result, out, err } = await classify([humanLine, '{not json', '[1,2]', '{"commits": "nope"}', copilotLine]);
  expect(result).toEqual({ classified: 2, failed: 3, labelled: 2 });
  expect(out.trim().split('\n')).toHaveLength(2);
  expect(err).toMatch(/^line 2: invalid JSON/m);
  expect(err).toMatch(/^line 3: not a pull request line/m);
  expect(err).toMatch(/^line 4: not a pull request line: commits:/m);
});

test('--summary prints the tables instead of verdicts', async () => {
  const { out } = await classify([copilotLine, humanLine], DEFAULT_AUTHORSHIP_OPTIONS, true);
  expect(out).not.toContain('"class"');
  expect(out).toMatch(/\| copilot\s+\| 1\s+\| 1\s+\| 100\.0%/);
  expect(out).toMatch(/\| human\s+\| 1\s+\| 0\s+\| 0\.0%/);
});

test('--summary without labels says so', async () => {
  const { out, err } = await classify([JSON.stringify(pr())], DEFAULT_AUTHORSHIP_OPTIONS, true);
  expect(out).toBe('');
  expect(err).toContain('no line carries an "expected" label');
});

describe('--config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-review-classify-'));

  test('custom agents and min_confidence come from the agents section', async () => {
    const path = join(dir, 'ai-review.yml');
    writeFileSync(
      path,
      'agents:\n  min_confidence: medium\n  custom:\n    - name: acme\n      branch_prefixes: [acme/]\n      body_markers: ["Made by Acme"]\n',
    );
    const options = await loadAuthorshipOptions(path);
    expect(options).toEqual({
      builtin: true,
      minConfidence: 'medium',
      custom: [{ name: 'acme', branch_prefixes: ['acme/'], body_markers: ['Made by Acme'] }],
    });
    const { out } = await classify(
      [JSON.stringify(pr({ body: 'made by acme' })), JSON.stringify(pr({ head: { ref: 'acme/x' } }))],
      options,
    );
    const [first, second] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { class: string; agent: string | null });
    expect(first).toMatchObject({ class: 'agent', agent: 'acme' });
    expect(second).toMatchObject({ class: 'human' });
  });

  test('an invalid configuration is an error with the file, line and key path', async () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'agents:\n  min_confidence: sometimes\n');
    await expect(loadAuthorshipOptions(path)).rejects.toThrow(/bad\.yml:2: agents\.min_confidence/);
  });

  test('no --config: the defaults', async () => {
    expect(await loadAuthorshipOptions(undefined)).toBe(DEFAULT_AUTHORSHIP_OPTIONS);
  });
});

test('register adds the classify command with its options', () => {
  const program = new Command();
  register(program);
  const cmd = program.commands.find((c) => c.name() === 'classify');
  expect(cmd).toBeDefined();
  expect(cmd?.options.map((o) => o.long)).toEqual(['--config', '--summary']);
});
