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
export { classifyPullRequest, confidenceRank, DEFAULT_AUTHORSHIP_OPTIONS, MAX_REASONS, MAX_REASON_VALUE } from './classify.js';
export { identifyAccount, matchAccount, matchEmail, identityIndex, customAgentDescriptor } from './identity.js';
export type { AccountIdentity, AccountMatch, IdentityIndex } from './identity.js';
export { evaluate, formatSummary } from './evaluate.js';
export type { AgentFigures, EvaluationSummary, ExpectedLabel, LabelledVerdict, NonAgentFigures } from './evaluate.js';
