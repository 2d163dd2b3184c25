/** `ai-review validate`: the app's validation offline, CODEOWNERS references, every problem with key path and line. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { register, repositoryRootFor, validateConfigFile } from '../../src/cli/validate.js';

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ai-review-validate-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const OWNERS_CONFIG = 'mode: enforce\nrules:\n  - name: owners\n    require:\n      codeowners: true\n';

/** Runs `ai-review validate ARGS` through commander; returns what it printed and what it threw. */
async function run(args: string[]): Promise<{ out: string; error: unknown }> {
  const program = new Command().exitOverride();
  register(program);
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(chunk.toString());
    return true;
  });
  let error: unknown = null;
  try {
    await program.parseAsync(['node', 'ai-review', 'validate', ...args]);
  } catch (e) {
    error = e;
  } finally {
    spy.mockRestore();
  }
  return { out: chunks.join(''), error };
}

describe('ai-review validate', () => {
  it('a valid file: exit 0 and says so', async () => {
    const root = repo({ '.github/ai-review.yml': 'mode: enforce\n' });
    const { out, error } = await run([join(root, '.github/ai-review.yml')]);
    expect(error).toBeNull();
    expect(out).toBe(`${join(root, '.github/ai-review.yml')}: valid\n`);
  });

  it('every problem with file, line and key path; exit 1 (CliError)', async () => {
    const root = repo({
      '.github/ai-review.yml': 'mode: strict\nrules:\n  - name: r\n    if:\n      paths: [nope]\n    require:\n      count: 0\nmood: x\n',
    });
    const file = join(root, '.github/ai-review.yml');
    const { out, error } = await run([file]);
    expect(out.split('\n')).toEqual([
      `${file}:1: mode: Invalid option: expected one of "advisory"|"enforce"`,
      `${file}:7: rules[0].require.count: Too small: expected number to be >=1`,
      `${file}:8: mood: unknown key "mood"`,
      `${file}: 3 problems`,
      '',
    ]);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 1, message: `${file} is invalid: 3 problems` });
  });

  it('unknown path groups are found once the schema holds (as in the app)', () => {
    const result = validateConfigFile('x.yml', 'rules:\n  - name: r\n    if:\n      paths: [nope]\n', '/nonexistent');
    expect(result.problems).toEqual([
      expect.objectContaining({
        path: 'rules[0].if.paths[0]',
        line: 4,
        message: expect.stringContaining('unknown path group "nope"') as string,
      }),
    ]);
  });

  it('CODEOWNERS lines GitHub rejects are problems when a rule requires code owners (first location wins)', async () => {
    const root = repo({
      '.github/ai-review.yml': OWNERS_CONFIG,
      '.github/CODEOWNERS': '* @acme/platform\n!docs/ @a\n*.js user\n',
      CODEOWNERS: '* @ignored-because-second\n*.[ch] @x\n',
    });
    const { out, error } = await run([join(root, '.github/ai-review.yml'), '--format', 'json']);
    expect(JSON.parse(out)).toEqual({
      file: join(root, '.github/ai-review.yml'),
      valid: false,
      problems: [
        {
          path: '(CODEOWNERS)',
          message: 'Invalid pattern: negation with "!" is not supported in CODEOWNERS',
          source: '.github/CODEOWNERS',
          line: 2,
        },
        {
          path: '(CODEOWNERS)',
          message: 'Invalid owner: "user" is not @user, @org/team or an email address',
          source: '.github/CODEOWNERS',
          line: 3,
        },
      ],
      notes: [],
      codeowners: '.github/CODEOWNERS',
    });
    expect(error).toBeInstanceOf(CliError);
  });

  it('CODEOWNERS is not checked when no rule requires code owners; its absence is a note, not a problem', () => {
    const root = repo({ 'docs/CODEOWNERS': '*.js user\n' });
    expect(validateConfigFile('c.yml', 'mode: enforce\n', root)).toMatchObject({ valid: true, problems: [], codeowners: null });
    expect(validateConfigFile('c.yml', OWNERS_CONFIG, root)).toMatchObject({ valid: false, codeowners: 'docs/CODEOWNERS' });
    const empty = validateConfigFile('c.yml', OWNERS_CONFIG, repo({}));
    expect(empty).toMatchObject({ valid: true, problems: [] });
    expect(empty.notes[0]).toMatch(
      /^rules "owners" require code owners, but no CODEOWNERS is in \.github\/CODEOWNERS, CODEOWNERS, docs\/CODEOWNERS/,
    );
  });

  it('notes that _extends is not followed offline', () => {
    expect(validateConfigFile('c.yml', '_extends: .github\nmode: enforce\n', '/x').notes).toEqual([
      '`_extends` is not followed offline: the base file is validated by the app only',
    ]);
  });

  it('YAML syntax errors carry the line', () => {
    const result = validateConfigFile('c.yml', 'mode: enforce\nrules:\n  - name: [unclosed\n', '/x');
    expect(result.valid).toBe(false);
    expect(result.problems[0]!.message).toMatch(/^invalid YAML/);
    expect(result.problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('an unreadable file is a usage error (exit 2)', async () => {
    const { error } = await run(['/nonexistent/ai-review.yml']);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ exitCode: 2, message: 'cannot read /nonexistent/ai-review.yml: ENOENT' });
  });

  it('the repository root is the parent of the .github folder, else the current directory', () => {
    expect(repositoryRootFor('/r/.github/ai-review.yml')).toBe('/r');
    expect(repositoryRootFor('configs/new.yml', '/work')).toBe('/work');
  });
});
