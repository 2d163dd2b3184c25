/**
 * The schema of `.github/ai-review.yml`, in zod. This is the single source of truth: the TypeScript types,
 * the validation errors and `docs/ai-review.schema.json` (editor autocompletion) are all generated from it.
 */
import { z } from 'zod';

/** `advisory`: the check reports but never blocks; `enforce`: an unmet rule gives `action_required`. */
export const ModeSchema = z
  .enum(['advisory', 'enforce'])
  .describe('advisory: report only (conclusion neutral); enforce: unmet rules block (conclusion action_required)');

export const ConfidenceSchema = z.enum(['low', 'medium', 'high']);

const nonEmptyString = z.string().trim().min(1);

/** A login (`alice`, `acme-agent[bot]`) or a team as `@org/slug`. */
export const ReviewerSchema = nonEmptyString.regex(/^@?[A-Za-z0-9][A-Za-z0-9._-]*(\[bot\])?(\/[A-Za-z0-9._-]+)?$/, {
  message: 'expected a login such as "alice" or a team such as "@acme/security"',
});

/** A custom agent's GitHub account: login, numeric id (decides over the login) and type. */
export const CustomAgentAccountSchema = z.strictObject({
  login: nonEmptyString.describe('REST login, e.g. "acme-agent[bot]" for a GitHub App'),
  id: z.number().int().positive().optional().describe('Numeric user id (GET /users/LOGIN): ids decide over logins'),
  type: z.enum(['Bot', 'User']).optional().describe('Bot for a GitHub App (default when the login ends in [bot]), User otherwise'),
});

export const CustomAgentSchema = z
  .strictObject({
    name: nonEmptyString.describe('Name reported in the check run and metrics, and usable in rules (`if.author`)'),
    kind: z
      .enum(['agent', 'review-bot', 'automation'])
      .optional()
      .describe('agent (default); review-bot: its applied suggestions make a PR assisted; automation: a non-AI bot'),
    logins: z
      .array(nonEmptyString)
      .optional()
      .describe('GitHub logins of the agent, e.g. "acme-agent[bot]" (the "[bot]" suffix is optional)'),
    accounts: z
      .array(CustomAgentAccountSchema)
      .optional()
      .describe('GitHub accounts with their numeric ids (high confidence as PR author)'),
    branch_prefixes: z.array(nonEmptyString).optional().describe('Head branch prefixes, e.g. "acme-agent/" (low confidence)'),
    branch_prefixes_before_digit: z
      .array(nonEmptyString)
      .optional()
      .describe('Head branch prefixes that count only when a digit follows, e.g. "acme/" for "acme/1712345678-fix" (low confidence)'),
    commit_emails: z
      .array(nonEmptyString)
      .optional()
      .describe(
        'Emails matched in commit author/committer and Co-authored-by trailers; "*@domain" matches a whole domain (medium confidence)',
      ),
    author_name_suffixes: z
      .array(nonEmptyString)
      .optional()
      .describe('Suffixes the tool adds to the git author name, e.g. " (acme)" (medium confidence)'),
    trailers: z
      .array(z.strictObject({ key: nonEmptyString, value_prefix: nonEmptyString }))
      .optional()
      .describe(
        'Commit-message trailers the tool writes, e.g. {key: "Acme-Session", value_prefix: "https://acme.dev/s/"} (medium confidence)',
      ),
    body_markers: z.array(nonEmptyString).optional().describe('Text the agent writes in PR bodies or commit messages (medium confidence)'),
    body_template: z
      .array(nonEmptyString)
      .min(1)
      .optional()
      .describe('The PR-body headings the tool writes by default, in order, each followed by a bullet list (low confidence)'),
    labels: z.array(nonEmptyString).optional().describe('Labels the agent applies (low confidence)'),
  })
  .describe('A coding agent of your own');

/** Author classes a rule can name: `assisted` is a person's PR an agent co-authored (docs/authorship.md). */
export const RULE_AUTHOR_CLASSES = ['agent', 'assisted', 'human', 'any'] as const;

/** `agent`, `assisted`, `human`, `any`, or a list mixing those classes and agent names (`[assisted, copilot, devin]`). */
export const RuleAuthorSchema = z.union([z.enum(RULE_AUTHOR_CLASSES), z.array(nonEmptyString).min(1)]);

export const RuleSchema = z
  .strictObject({
    name: nonEmptyString.describe('Shown in the check run'),
    if: z
      .strictObject({
        author: RuleAuthorSchema.default('agent').describe(
          'agent | assisted | human | any | a list mixing these classes and agent names. Default agent',
        ),
        paths: z
          .array(nonEmptyString)
          .min(1)
          .optional()
          .describe('Path group names: the rule applies when the PR touches any of them. Omitted: every PR of that author'),
      })
      .default({ author: 'agent' }),
    require: z
      .strictObject({
        reviewers: z
          .array(ReviewerSchema)
          .min(1)
          .optional()
          .describe('Users by login and teams as @org/slug. Omitted: anyone with write access'),
        count: z.number().int().min(1).max(20).default(1).describe('Qualifying approvals needed'),
        codeowners: z
          .boolean()
          .optional()
          .describe(
            "Also require, for every changed file the rule covers that has owners in the default branch's CODEOWNERS, an approval from one of that file's owners",
          ),
      })
      .default({ count: 1 }),
    mode: ModeSchema.optional().describe('Overrides the top-level mode for this rule'),
  })
  .describe('A review rule: all applicable rules must hold');

/** Which later pushes make an approval stale: by an agent, by anyone but the approver, or by anyone. */
export const StaleOnPushSchema = z
  .enum(['agent', 'others', 'any'])
  .describe(
    'agent: an agent push after the approved commit makes the approval stale; others: a push by anyone but the approver; any: any later push',
  );

export const ReviewSettingsSchema = z.strictObject({
  stale_on_push: StaleOnPushSchema.optional().describe(
    'Which later pushes make an approval stale (agent | others | any). Default agent; wins over stale_on_agent_push',
  ),
  stale_on_agent_push: z
    .boolean()
    .default(true)
    .describe('Deprecated, use stale_on_push. true: same as stale_on_push: agent; false: approvals never go stale'),
  requester_can_approve: z.boolean().default(false).describe('Whether the human who asked the agent for the PR may satisfy a rule'),
  request_reviewers: z.boolean().default(true).describe('Ask the required users/teams for review, once per PR'),
});

export const OverrideSettingsSchema = z.strictObject({
  label: nonEmptyString.default('ai-review: override').describe('Label that turns the gate green when applied by someone allowed'),
  allowed: z
    .array(ReviewerSchema)
    .default([])
    .describe(
      'Users and @org/teams allowed to override, with the label or a "/ai-review override <reason>" comment. Empty: overrides are off',
    ),
});

export const AgentSettingsSchema = z.strictObject({
  builtin: z.boolean().default(true).describe('Use the built-in catalog of coding agents'),
  custom: z.array(CustomAgentSchema).default([]),
  min_confidence: ConfidenceSchema.default('low').describe(
    'Evidence below this confidence does not make a PR agent-authored. Default low: for a gate, a false positive only adds a review',
  ),
});

/** Group name → gitignore-style globs. Adds to, or replaces by name, the built-in groups. */
export const PathGroupsSchema = z.record(
  nonEmptyString.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'group names use letters, digits, ".", "_" and "-"' }),
  z.array(nonEmptyString).min(1),
);

/** The whole file, as written (before defaults for `rules` and built-in path groups are merged in). */
export const AiReviewConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editor hint; ignored'),
    mode: ModeSchema.default('advisory'),
    agents: AgentSettingsSchema.default({ builtin: true, custom: [], min_confidence: 'low' }),
    paths: PathGroupsSchema.default({}).describe('Named groups of sensitive paths (gitignore-style globs)'),
    rules: z.array(RuleSchema).optional().describe('Omitted: the built-in rules (see docs/configuration.md)'),
    review: ReviewSettingsSchema.default({ stale_on_agent_push: true, requester_can_approve: false, request_reviewers: true }),
    overrides: OverrideSettingsSchema.default({ label: 'ai-review: override', allowed: [] }),
  })
  .describe('ai-review configuration (.github/ai-review.yml)');

/** The validated file, defaults applied. */
export type AiReviewConfigFile = z.output<typeof AiReviewConfigSchema>;
export type Mode = z.output<typeof ModeSchema>;
export type Rule = z.output<typeof RuleSchema>;
export type RuleAuthor = z.output<typeof RuleAuthorSchema>;
export type ReviewSettings = z.output<typeof ReviewSettingsSchema>;
export type OverrideSettings = z.output<typeof OverrideSettingsSchema>;
export type StaleOnPush = z.output<typeof StaleOnPushSchema>;
