import { compilePathGroups, classifyChangedFiles, toGlob } from '../../src/paths/match.js';
import { BUILTIN_PATH_GROUPS } from '../../src/paths/groups.js';
import { resolveConfig } from '../../src/config/load.js';

describe('toGlob (gitignore-style patterns)', () => {
  it.each([
    ['*.pem', '**/*.pem', false],
    ['CODEOWNERS', '**/CODEOWNERS', false],
    ['src/auth/**', 'src/auth/**', false],
    ['/.github/workflows/', '.github/workflows/**', false],
    ['.cursor/', '**/.cursor/**', false],
    ['!docs/*.pem', 'docs/*.pem', true],
  ])('%s → %s', (pattern, glob, negated) => {
    expect(toGlob(pattern)).toEqual({ glob, negated });
  });
});

describe('built-in groups', () => {
  const groups = compilePathGroups(BUILTIN_PATH_GROUPS);
  const groupOf = (path: string) => classifyChangedFiles([{ filename: path }], groups).map((t) => t.group);
  it.each([
    ['.github/workflows/ci.yml', ['ci']],
    ['.github/workflows/nested/deploy.yaml', ['ci']],
    ['sub/.github/workflows/ci.yml', []],
    ['Jenkinsfile', ['ci']],
    ['AGENTS.md', ['agent-config']],
    ['packages/web/AGENTS.md', ['agent-config']],
    ['CLAUDE.md', ['agent-config']],
    ['.github/copilot-instructions.md', ['agent-config']],
    ['.cursor/rules/style.mdc', ['agent-config']],
    ['.mcp.json', ['agent-config']],
    ['.github/ai-review.yml', ['agent-config']],
    ['.github/CODEOWNERS', ['agent-config']],
    ['docs/CODEOWNERS', ['agent-config']],
    ['certs/server.pem', ['secrets']],
    ['.env', ['secrets']],
    ['config/.env.production', ['secrets']],
    ['package-lock.json', ['dependencies']],
    ['services/api/go.sum', ['dependencies']],
    ['requirements-dev.txt', ['dependencies']],
    ['src/index.ts', []],
    ['README.md', []],
    ['docs/agents.md', []],
  ])('%s → %j', (path, expected) => {
    expect(groupOf(path)).toEqual(expected);
  });
});

describe('classifyChangedFiles', () => {
  const config = resolveConfig({
    ...resolveConfig(null).file,
    paths: { auth: ['src/auth/**', '!src/auth/README.md'], infra: ['terraform/'] },
  });
  it('matches a renamed file on its old path too (moving a file out of a group still touches it)', () => {
    const touched = classifyChangedFiles(
      [{ filename: 'src/login/x.ts', previous_filename: 'src/auth/x.ts', status: 'renamed' }],
      config.compiledPathGroups,
    );
    expect(touched).toEqual([{ group: 'auth', fileCount: 1, examples: ['src/auth/x.ts → src/login/x.ts'] }]);
  });
  it('matches a renamed file on its new path', () => {
    const touched = classifyChangedFiles(
      [{ filename: 'terraform/main.tf', previous_filename: 'old/main.tf', status: 'renamed' }],
      config.compiledPathGroups,
    );
    expect(touched.map((t) => t.group)).toEqual(['infra']);
  });
  it('honours negated patterns', () => {
    expect(classifyChangedFiles([{ filename: 'src/auth/README.md' }], config.compiledPathGroups)).toEqual([]);
  });
  it('lists groups in precedence order (config groups first) with at most 3 examples and a count', () => {
    const files = ['src/auth/a.ts', 'src/auth/b.ts', 'src/auth/c.ts', 'src/auth/d.ts', '.github/workflows/x.yml'].map((filename) => ({
      filename,
    }));
    expect(classifyChangedFiles(files, config.compiledPathGroups)).toEqual([
      { group: 'auth', fileCount: 4, examples: ['src/auth/a.ts', 'src/auth/b.ts', 'src/auth/c.ts'] },
      { group: 'ci', fileCount: 1, examples: ['.github/workflows/x.yml'] },
    ]);
  });
  it('a config group replaces the built-in group of the same name', () => {
    const custom = resolveConfig({ ...resolveConfig(null).file, paths: { ci: ['ci/**'] } });
    expect(classifyChangedFiles([{ filename: '.github/workflows/a.yml' }, { filename: 'ci/run.sh' }], custom.compiledPathGroups)).toEqual([
      { group: 'ci', fileCount: 1, examples: ['ci/run.sh'] },
    ]);
  });
});
