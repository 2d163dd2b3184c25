import { evaluateGate, teamsToFetch } from '../../src/gate/evaluate.js';
import { gateCheckRun } from '../../src/gate/check.js';
import { hasOverrideCommand, parseOverrideCommand } from '../../src/gate/overrides.js';
import type { CommentFact, GateFacts } from '../../src/gate/types.js';
import { AGENT, config, facts } from './helpers.js';

const ENFORCE = (extra: Record<string, unknown> = {}) =>
  config({
    mode: 'enforce',
    rules: [{ name: 'security-review', require: { reviewers: ['@acme/security'], count: 1 } }],
    overrides: { allowed: ['@acme/platform', 'carol'] },
    ...extra,
  });

let nextId = 100;
const comment = (login: string, body: string, createdAt = '2026-01-02T00:00:00Z', extra: Partial<CommentFact> = {}): CommentFact => ({
  id: nextId++,
  login,
  body,
  createdAt,
  ...extra,
});

/** PR at head c2 (agent commits c1, c2), pushes recorded; `later` adds e3 pushed at 2026-01-03 by `later.pusher`. */
function prFacts(comments: CommentFact[], later?: { pusher: string; agent?: boolean }, extra: Partial<GateFacts> = {}): GateFacts {
  const shas = later ? ['c1', 'c2', 'e3'] : ['c1', 'c2'];
  return facts({
    pullRequest: { number: 7, authorLogin: 'Copilot', draft: false, headSha: shas[shas.length - 1]!, labels: [] },
    authorship: { ...AGENT, agentCommitShas: later?.agent ? ['c1', 'c2', 'e3'] : ['c1', 'c2'] },
    commitShas: shas,
    pushes: [
      { headSha: 'c2', pusherLogin: 'Copilot', automated: true, at: '2026-01-01T00:00:00Z' },
      ...(later ? [{ headSha: 'e3', pusherLogin: later.pusher, automated: later.agent === true, at: '2026-01-03T00:00:00Z' }] : []),
    ],
    comments,
    ...extra,
  });
}

describe('parseOverrideCommand', () => {
  it.each([
    ['/ai-review override hotfix for the outage, reviewed on call', 'hotfix for the outage, reviewed on call'],
    ['  /AI-Review   Override  spaced\n\n  over lines  ', 'spaced over lines'],
    ['/ai-review override', null],
    ['/ai-review override   \n  ', null],
  ])('%j → reason %j', (body, reason) => {
    expect(parseOverrideCommand(body)).toEqual({ reason });
  });

  it.each([['/ai-review overrides x'], ['please /ai-review override x'], ['> /ai-review override x'], ['/ai-reviewoverride x'], ['']])(
    '%j is not a command',
    (body) => {
      expect(parseOverrideCommand(body)).toBeNull();
    },
  );

  it('keeps at most 500 characters of reason', () => {
    expect(parseOverrideCommand(`/ai-review override ${'x'.repeat(600)}`)!.reason).toBe(`${'x'.repeat(500)}…`);
  });

  it('hasOverrideCommand tells the shell to fetch the allowed teams', () => {
    expect(hasOverrideCommand([{ body: 'lgtm' }, { body: '/ai-review override because' }])).toBe(true);
    expect(hasOverrideCommand(undefined)).toBe(false);
    const rules = ENFORCE().rules;
    expect(teamsToFetch(ENFORCE(), rules, false, { overrideCommandPresent: true })).toEqual(['@acme/platform', '@acme/security']);
    expect(teamsToFetch(ENFORCE(), rules, false)).toEqual(['@acme/security']);
  });
});

describe('comment overrides: who, why, for which head', () => {
  it.each([
    ['an allowed user with a reason', [comment('carol', '/ai-review override incident 42')], 'applied', 'carol'],
    ['a member of an allowed team', [comment('erin', '/ai-review override release blocker')], 'applied', 'erin'],
    ['someone not allowed', [comment('mallory', '/ai-review override trust me')], 'not-allowed', null],
    ['an empty reason', [comment('carol', '/ai-review override')], 'empty-reason', null],
  ] as const)('%s → %s', (_name, comments, status, login) => {
    const result = evaluateGate(ENFORCE(), prFacts([...comments]));
    expect(result.overrideCommands.map((c) => c.status)).toEqual([status]);
    expect(result.override?.login ?? null).toBe(login);
    expect(result.conclusion).toBe(login ? 'success' : 'action_required');
  });

  it('records who, when, the head SHA at the time, the reason and the source', () => {
    const result = evaluateGate(ENFORCE(), prFacts([comment('carol', '/ai-review override incident 42')]));
    expect(result.override).toEqual({
      login: 'carol',
      at: '2026-01-02T00:00:00Z',
      headSha: 'c2',
      reason: 'incident 42',
      source: 'comment',
    });
    expect(result.satisfied).toBe(true);
  });

  it('with overrides off, a command changes nothing and says so', () => {
    const result = evaluateGate(ENFORCE({ overrides: { allowed: [] } }), prFacts([comment('carol', '/ai-review override x')]));
    expect(result.overrideCommands[0]!.status).toBe('overrides-off');
    expect(result.override).toBeNull();
  });

  it.each([
    ['agent', { pusher: 'requester' }, 'applied'],
    ['agent', { pusher: 'Copilot', agent: true }, 'ended-by-push'],
    ['others', { pusher: 'carol' }, 'applied'],
    ['others', { pusher: 'requester' }, 'ended-by-push'],
    ['any', { pusher: 'carol' }, 'ended-by-push'],
  ] as const)('stale_on_push %s, a later push by %j → %s', (mode, later, status) => {
    const result = evaluateGate(ENFORCE({ review: { stale_on_push: mode } }), prFacts([comment('carol', '/ai-review override x')], later));
    expect(result.overrideCommands[0]).toMatchObject({ status, headSha: 'c2', ...(status === 'ended-by-push' ? { endedBy: 'e3' } : {}) });
    expect(result.override === null).toBe(status !== 'applied');
  });

  it('a comment after the push is bound to the new head and holds', () => {
    const result = evaluateGate(
      ENFORCE(),
      prFacts([comment('carol', '/ai-review override x', '2026-01-04T00:00:00Z')], { pusher: 'Copilot', agent: true }),
    );
    expect(result.override).toMatchObject({ headSha: 'e3' });
  });

  it('an edited command counts from its last edit; a head SHA given by the shell wins over the derived one', () => {
    const edited = comment('carol', '/ai-review override x', '2026-01-02T00:00:00Z', { updatedAt: '2026-01-04T00:00:00Z' });
    expect(evaluateGate(ENFORCE(), prFacts([edited], { pusher: 'Copilot', agent: true })).override).toMatchObject({
      at: '2026-01-04T00:00:00Z',
      headSha: 'e3',
    });
    const given = comment('carol', '/ai-review override x', '2026-01-04T00:00:00Z', { headSha: 'c2' });
    expect(evaluateGate(ENFORCE(), prFacts([given], { pusher: 'Copilot', agent: true })).overrideCommands[0]!.status).toBe('ended-by-push');
  });

  it('refuses a command whose head commit cannot be told (no pushes, no commit dates)', () => {
    const result = evaluateGate(ENFORCE(), prFacts([comment('carol', '/ai-review override x')], undefined, { pushes: [] }));
    expect(result.overrideCommands[0]!.status).toBe('unknown-head');
    expect(result.override).toBeNull();
  });

  it('the latest valid override wins; earlier ones are superseded; the label keeps working with no reason', () => {
    const labelled = prFacts(
      [comment('carol', '/ai-review override first'), comment('erin', '/ai-review override second', '2026-01-02T01:00:00Z')],
      undefined,
      {
        pullRequest: { number: 7, authorLogin: 'Copilot', draft: false, headSha: 'c2', labels: ['ai-review: override'] },
        overrideLabelEvents: [{ action: 'labeled', label: 'ai-review: override', actor: 'carol', at: '2026-01-01T12:00:00Z' }],
      },
    );
    const result = evaluateGate(ENFORCE(), labelled);
    expect(result.override).toMatchObject({ login: 'erin', reason: 'second', source: 'comment' });
    expect(result.overrideCommands.map((c) => c.status)).toEqual(['superseded', 'applied']);
    const labelOnly = evaluateGate(ENFORCE(), { ...labelled, comments: [] });
    expect(labelOnly.override).toEqual({
      login: 'carol',
      at: '2026-01-01T12:00:00Z',
      headSha: 'c2',
      reason: null,
      source: 'label',
      label: 'ai-review: override',
    });
  });

  it('the summary names refused and ended commands; the reason is escaped', () => {
    const comments = [
      comment('mallory', '/ai-review override [click](https://evil.example) <img>'),
      comment('dave', '/ai-review override'),
      comment('carol', '/ai-review override **fine** `x`', '2026-01-02T01:00:00Z'),
    ];
    const { checkRun } = gateCheckRun(ENFORCE({ overrides: { allowed: ['carol', 'dave'] } }), prFacts(comments));
    expect(checkRun.output.title).toBe('Overridden by @carol');
    const s = checkRun.output.summary;
    expect(s.split('\n')[0]).toBe('**Overridden by @carol.**');
    expect(s).toContain(
      '**Overridden** by @carol at 2026\\-01\\-02T01\\:00\\:00Z for head commit `c2`, reason: “\\*\\*fine\\*\\* \\`x\\`”.',
    );
    expect(s).toContain('- @mallory at 2026\\-01\\-02T00\\:00\\:00Z: not allowed to override (see `overrides.allowed`); nothing changed');
    expect(s).toContain('- @dave at 2026\\-01\\-02T00\\:00\\:00Z: refused: a reason is required (`/ai-review override <reason>`)');
    expect(s).not.toContain('evil.example)');
  });

  it('an override ended by a push is named with the commit that ended it', () => {
    const { checkRun } = gateCheckRun(ENFORCE(), prFacts([comment('carol', '/ai-review override x')], { pusher: 'Copilot', agent: true }));
    expect(checkRun.output.summary).toContain(
      '- @carol at 2026\\-01\\-02T00\\:00\\:00Z: ended by a later push (`e3`); comment again to override the new head',
    );
    expect(checkRun.conclusion).toBe('action_required');
  });
});
