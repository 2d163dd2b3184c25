import { CODEOWNERS_LOCATIONS, codeownersGlobs, parseCodeowners, parseOwner } from '../../src/codeowners/index.js';

/** The example file of GitHub Docs, "About code owners" (owners and comments shortened). */
const GITHUB_EXAMPLE = `# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
`;

describe('parseCodeowners: GitHub Docs example, last matching line wins', () => {
  const parsed = parseCodeowners(GITHUB_EXAMPLE, '.github/CODEOWNERS');

  it('parses every line without problems, inline comment dropped', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toHaveLength(12);
    expect(parsed.entries[1]).toEqual({ line: 3, pattern: '*.js', owners: ['@js-owner'] });
  });

  it.each([
    ['README.md', 2, ['@global-owner1', '@global-owner2']],
    ['src/index.js', 3, ['@js-owner']],
    ['cmd/main.go', 4, ['docs@example.com']],
    ['notes/a.txt', 5, ['@octo-org/octocats']],
    ['build/logs/today/x.log', 11, ['@octocat']], // `**/logs` (line 11) comes after `/build/logs/` (line 6)
    ['build/logs/x.bin', 11, ['@octocat']],
    ['docs/getting-started.md', 9, ['@doctocat']], // `/docs/` (line 9) comes after `docs/*` (line 7)
    ['scripts/deploy.sh', 10, ['@doctocat', '@octocat']],
    ['deeply/nested/logs/a', 11, ['@octocat']],
    ['x/apps/main.c', 8, ['@octocat']], // `apps/` matches an apps directory at any depth
    ['apps/web/main.c', 12, ['@octocat']],
    ['apps/github/main.c', 13, []], // a pattern without owners un-owns
    ['apps/github', 13, []],
  ])('%s → line %i %j', (file, line, owners) => {
    expect(parsed.ownerOf(file)).toMatchObject({ line, owners });
  });

  it('matching is case-sensitive, like GitHub', () => {
    const p = parseCodeowners('/Docs/ @a\n', 'CODEOWNERS');
    expect(p.ownerOf('Docs/x.md')?.line).toBe(1);
    expect(p.ownerOf('docs/x.md')).toBeNull();
  });
});

describe('codeownersGlobs: GitHub differs from gitignore for a last segment "*"', () => {
  it.each([
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false], // GitHub Docs: not further nested files
    ['docs', 'docs/build-app/troubleshooting.md', true],
    ['docs', 'a/docs/x.md', true], // one segment: any depth
    ['src/docs', 'a/src/docs/x.md', false], // a slash inside anchors at the root
    ['/src/*.ts', 'src/a.ts', true],
    ['/src/*.ts', 'src/x/a.ts', false],
    ['*', '.github/workflows/ci.yml', true],
    ['**/logs', 'logs/a', true],
    ['lib/**/test', 'lib/a/b/test/x.js', true],
    ['a?c', 'abc', true],
    ['a(b){c}+@!', 'a(b){c}+@!', true], // no extglobs or braces in CODEOWNERS
    ['/', 'anything', false],
  ])('%s matches %s: %s', (pattern, file, expected) => {
    expect(parseCodeowners(`${pattern} @o\n`, 'CODEOWNERS').ownerOf(file) !== null).toBe(expected);
  });

  it('translates to picomatch globs', () => {
    expect(codeownersGlobs('docs/*')).toEqual(['docs/*']);
    expect(codeownersGlobs('*.js')).toEqual(['**/*.js', '**/*.js/**']);
    expect(codeownersGlobs('/build/logs/')).toEqual(['build/logs/**']);
    expect(codeownersGlobs('apps/')).toEqual(['**/apps/**']);
  });
});

describe('parseCodeowners: lines GitHub rejects are skipped and named', () => {
  it.each([
    ['!docs/ @a', 'Invalid pattern', /negation/],
    ['*.[ch] @a', 'Invalid pattern', /character ranges/],
    ['\\#file @a', 'Invalid pattern', /escaping/],
    ['a/***/b @a', 'Invalid pattern', /three consecutive/],
    ['/ @a', 'Invalid pattern', /never matches/],
    ['*.js user', 'Invalid owner', /"user" is not @user/],
    ['*.js @a @-bad @b', 'Invalid owner', /"@-bad"/],
    ['*.js @org/team/extra', 'Invalid owner', /not @user/],
  ])('%j → %s', (line, kind, message) => {
    const parsed = parseCodeowners(`* @fallback\n${line}\n`, 'CODEOWNERS');
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ line: 2, kind, source: line });
    expect(parsed.problems[0]!.message).toMatch(message);
    // The rejected line is skipped: the earlier line still owns everything.
    expect(parsed.ownerOf('x.js')).toMatchObject({ line: 1, owners: ['@fallback'] });
  });

  it('handles CRLF line ends, blank lines and escaped spaces', () => {
    const parsed = parseCodeowners('\r\n# c\r\nmy\\ dir/ @a\r\n\r\n', 'CODEOWNERS');
    expect(parsed.problems).toEqual([]);
    expect(parsed.ownerOf('my dir/x')).toMatchObject({ line: 3, owners: ['@a'] });
  });

  it('a file of 3 MB or more is ignored whole, like GitHub does', () => {
    const parsed = parseCodeowners(`* @a\n${'#'.repeat(3 * 1024 * 1024)}\n`, 'CODEOWNERS');
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems).toEqual([expect.objectContaining({ kind: 'File too large' })]);
    expect(parsed.ownerOf('x')).toBeNull();
  });
});

describe('parseOwner', () => {
  it.each([
    ['@Alice', { kind: 'user', login: 'alice' }],
    ['@acme/Web-Team', { kind: 'team', team: '@acme/web-team' }],
    ['Dev@Acme.dev', { kind: 'email', email: 'dev@acme.dev' }],
    ['alice', null],
    ['@alice-', null],
    ['@a'.padEnd(42, 'b'), null],
  ])('%s → %j', (token, owner) => {
    expect(parseOwner(token)).toEqual(owner);
  });

  it("locations are GitHub's, in its order", () => {
    expect(CODEOWNERS_LOCATIONS).toEqual(['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']);
  });
});
