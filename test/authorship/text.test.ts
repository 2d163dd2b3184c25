/** Parsing of untrusted PR and commit text. */
import {
  firstMentionedLogin,
  loginNearMarker,
  matchesBodyTemplate,
  mergeTargetBranch,
  parseNameEmail,
  parseTrailers,
} from '../../src/authorship/text.js';

test('parseTrailers finds Key: value lines, indented or not', () => {
  expect(
    parseTrailers('Subject\n\nBody: not a trailer? it is trailer-like\n  Co-Authored-By: Claude <noreply@anthropic.com>\nhttps://x.y/z'),
  ).toEqual([
    { key: 'Body', value: 'not a trailer? it is trailer-like' },
    { key: 'Co-Authored-By', value: 'Claude <noreply@anthropic.com>' },
  ]);
  expect(parseTrailers('no trailers here')).toEqual([]);
});

test('parseNameEmail', () => {
  expect(parseNameEmail('aider (openai/gpt-4o) <aider@aider.chat>')).toEqual({ name: 'aider (openai/gpt-4o)', email: 'aider@aider.chat' });
  expect(parseNameEmail('Aaron <AJ> Steers <aj@airbyte.io>')).toEqual({ name: 'Aaron <AJ> Steers', email: 'aj@airbyte.io' });
  expect(parseNameEmail('just a name')).toEqual({ name: 'just a name', email: null });
});

test.each([
  ["Merge branch 'main' into codex/add-x", 'codex/add-x'],
  ["Merge branch 'master' of https://github.com/a/b into cursor/fix-1a2b\n\nbody", 'cursor/fix-1a2b'],
  ["Merge remote-tracking branch 'origin/main' into devin/123-x", 'devin/123-x'],
  ["Merge branch 'codex/a'", null],
  ['Merge pull request #27 from user/codex/create-agents-file', null],
  ['Fix into codex/thing', null],
])('mergeTargetBranch(%j) → %j', (message, expected) => {
  expect(mergeTargetBranch(message)).toBe(expected);
});

test.each([
  ['Requested by: @jane-doe', 'jane-doe'],
  ['Requested by: Jane (@jane-doe)', 'jane-doe'],
  ['Requested by: joao@crewai.com', null],
  ['mail me at a.b@example.com then @real-user', 'real-user'],
  ['Co-authored-by: Mona <2+MonaLisa@users.noreply.github.com>', 'MonaLisa'],
  ['bot: <1+some-app[bot]@users.noreply.github.com>', null],
  ['@', null],
])('firstMentionedLogin(%j) → %j', (text, expected) => {
  expect(firstMentionedLogin(text)).toBe(expected);
});

test('loginNearMarker reads the marker line, else the next non-blank line, never past a heading', () => {
  const body = 'Intro\n## Requested by\n\nJane (@jane)\n';
  expect(loginNearMarker(body, body.toLowerCase(), 'requested by')).toBe('jane');
  const headingNext = '## Requested by\n## Other\n@x';
  expect(loginNearMarker(headingNext, headingNext.toLowerCase(), 'requested by')).toBeNull();
  expect(loginNearMarker('nothing', 'nothing', 'requested by')).toBeNull();
});

describe('matchesBodyTemplate (Summary / Testing)', () => {
  const headings = ['Summary', 'Testing'];
  test.each([
    ['## Summary\n- a\n- b\n\n## Testing\n- `npm test`', true],
    ['## Summary\n- a\n  continued\n\n## Testing\n- `npm test` *(fails: offline)*\n', true],
    ['### summary\r\n* a\r\n\r\n### Testing\r\n* ok\r\n', true],
    ['## Summary\n- a\n\n## Testing\n- ok\n\n## Notes\n- extra', false],
    ['## Summary\nSome prose.\n\n## Testing\n- ok', false],
    ['## Summary\n\n## Testing\n- ok', false],
    ['## Summary\n- a', false],
    ['Intro\n## Summary\n- a\n## Testing\n- b', false],
    ['', false],
  ])('%j → %s', (body, expected) => {
    expect(matchesBodyTemplate(body, headings)).toBe(expected);
  });
});
