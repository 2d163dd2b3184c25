/** Shared fixtures of the gate tests: verdicts, reviews and facts in the shapes the shell builds. */
import type { AuthorshipVerdict } from '../../src/authorship/types.js';
import { resolveConfig, type EffectiveConfig } from '../../src/config/load.js';
import { AiReviewConfigSchema } from '../../src/config/schema.js';
import type { GateFacts, ReviewFact } from '../../src/gate/types.js';

/** A Copilot PR asked for by @requester; commits c1 and c2 are the agent's. */
export const AGENT: AuthorshipVerdict = {
  class: 'agent',
  agent: 'copilot',
  confidence: 'high',
  humanOfRecord: 'requester',
  agentCommitShare: 1,
  agentCommitShas: ['c1', 'c2'],
  reasons: [{ signal: 'pr_author_login', value: 'Copilot', confidence: 'high' }],
};

export const HUMAN: AuthorshipVerdict = {
  class: 'human',
  agent: null,
  confidence: null,
  humanOfRecord: null,
  agentCommitShare: 0,
  agentCommitShas: [],
  reasons: [],
};

/** Parses a config object as the app would (schema defaults) and resolves it. */
export function config(file: unknown): EffectiveConfig {
  return resolveConfig(AiReviewConfigSchema.parse(file));
}

let nextId = 1;
/** A submitted review on `commitId` at `at`. */
export function review(
  login: string,
  state: ReviewFact['state'],
  commitId = 'c2',
  at = '2026-01-01T10:00:00Z',
  extra: Partial<ReviewFact> = {},
): ReviewFact {
  return { id: nextId++, login, state, commitId, submittedAt: at, automated: false, userType: 'User', ...extra };
}

/** Facts of PR #7 by Copilot at head c2, touching `auth`. */
export function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return {
    pullRequest: { number: 7, authorLogin: 'Copilot', draft: false, headSha: 'c2', labels: [] },
    authorship: AGENT,
    touchedGroups: [{ group: 'auth', fileCount: 1, examples: ['src/auth/token.ts'] }],
    commitShas: ['c1', 'c2'],
    reviews: [],
    teamMembers: { '@acme/security': ['bob', 'dave'], '@acme/platform': ['erin'] },
    writeAccess: {},
    overrideLabelEvents: [],
    ...overrides,
  };
}
