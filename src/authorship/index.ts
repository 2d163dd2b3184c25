/** Public API of the authorship classifier (pure; no I/O). */
export * from './types.js';
export { BUILTIN_AGENTS, BUILTIN_AUTOMATION, BUILTIN_CATALOG, BUILTIN_REVIEW_BOTS } from './catalog.js';
export type {
  AccountDescriptor,
  AgentDescriptor,
  AgentKind,
  BodyTemplateDescriptor,
  HumanOfRecordSource,
  TrailerDescriptor,
} from './catalog.js';
export {
  AGENT_COMMIT_SHARE_THRESHOLD,
  classifyPullRequest,
  confidenceRank,
  DEFAULT_AUTHORSHIP_OPTIONS,
  MAX_REASONS,
  MAX_REASON_VALUE,
} from './classify.js';
export { explainPullRequest, formatExplanation } from './explain.js';
export type { Explanation, IdentityExplanation } from './explain.js';
export { readPullRequest } from './input.js';
export { identifyAccount, matchAccount, matchEmail, matchEmailRule, identityIndex, customAgentDescriptor } from './identity.js';
export type { AccountIdentity, AccountMatch, EmailMatchRule, IdentityIndex } from './identity.js';
export { evaluate, formatSummary } from './evaluate.js';
export type { AgentFigures, EvaluationSummary, ExpectedLabel, LabelledVerdict, NonAgentFigures } from './evaluate.js';
