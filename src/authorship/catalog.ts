/**
 * The built-in catalog of coding agents, non-AI automation bots and AI review bots: plain data, no logic.
 * The classifier (classify.ts) and identity matching (identity.ts) read it; adding an agent means adding an entry.
 *
 * Every external fact (login, numeric user id, noreply email, trailer, body text) carries the public source it was
 * checked against. Facts marked "AIDev" were also observed in the AIDev dataset (Li, Zhang and Hassan 2025,
 * arXiv:2507.15003, CC-BY-4.0) that `test/authorship/accuracy.test.ts` measures against.
 *
 * Matching rules that give these fields their meaning (see docs/authorship.md):
 * - `accounts` are matched by numeric id when the payload has one, else by REST login (`name[bot]`), or by the
 *   GraphQL form of a bot login (without `[bot]`) only when the payload says `type: "Bot"`: `claude`, `devin`,
 *   `jules` and `cursor` are also people's logins.
 * - `emails` are exact, case-insensitive. A `<id>+<login>@users.noreply.github.com` address is resolved to an
 *   account and matched like one (by id when it carries one).
 * - `bodyMarkers` are case-insensitive substrings (no regular expressions: PR bodies are untrusted and can be large).
 * - `trailers` match a commit-message trailer line `Key: value` whose value starts with `valuePrefix`.
 */

/** What an entry is: a coding agent (writes PRs), non-AI automation, or an AI reviewer (its text never makes a PR agent-authored). */
export type AgentKind = 'agent' | 'automation' | 'review-bot';

/** A GitHub account the vendor controls. */
export interface AccountDescriptor {
  /** Login as the REST API returns it: `devin-ai-integration[bot]` for Apps, `Copilot`/`cursoragent` for the exceptions. */
  login: string;
  /** Numeric user id, when known (the most reliable key: logins can be renamed, ids cannot). */
  id?: number;
  /** `Bot` for a GitHub App's bot user, `User` for an ordinary account run by the vendor. */
  type: 'Bot' | 'User';
}

/** A commit-message trailer the tool writes, e.g. `Made-with: Cursor`. Both parts are case-insensitive. */
export interface TrailerDescriptor {
  key: string;
  valuePrefix: string;
}

/**
 * Where the human who asked the agent for the work can be found, tried in order (the PR author is the last resort
 * when it is not a bot):
 * - `assigner`: the actor of the timeline `assigned` event that assigned the agent (Copilot: you assign an issue to it).
 * - `co_author`: a `Co-authored-by` trailer with a GitHub noreply address of a non-bot, in the agent's commits.
 * - `assignee`: the first PR assignee that is not the agent or a bot.
 * - `body_mention`: an `@login` (or GitHub noreply address) on the PR-body line that contains `marker`, or the next line.
 */
export type HumanOfRecordSource =
  { from: 'assigner' } | { from: 'co_author' } | { from: 'assignee' } | { from: 'body_mention'; marker: string };

/** A markdown body layout the tool writes by default: exactly these headings, in order, each followed by a bullet list. */
export interface BodyTemplateDescriptor {
  headings: string[];
}

/** One catalog entry. Every list may be empty. */
export interface AgentDescriptor {
  /** Stable name used in verdicts, rules (`if.author: [copilot]`) and metrics. */
  name: string;
  displayName: string;
  kind: AgentKind;
  accounts: AccountDescriptor[];
  /** Exact commit / trailer emails (compared lower-case). */
  emails: string[];
  /** Suffixes of the git author/committer name the tool writes, e.g. ` (aider)`. */
  authorNameSuffixes: string[];
  trailers: TrailerDescriptor[];
  /** Case-insensitive substrings the tool writes in PR bodies (and sometimes commit messages) by default. */
  bodyMarkers: string[];
  /** The tool's default PR-body layout (low confidence: a person can write the same). */
  bodyTemplate?: BodyTemplateDescriptor;
  /** Head-branch prefixes the tool uses by default (low confidence). */
  branchPrefixes: string[];
  /**
   * Head-branch prefixes that count only when a digit follows (the tool writes a timestamp or number there), for
   * prefixes that are also people's branch namespaces (`devin/` is a person's as well as Devin's `devin/1712345678-x`).
   */
  branchPrefixesBeforeDigit: string[];
  /** Labels the tool applies (low confidence). */
  labels: string[];
  humanOfRecord: HumanOfRecordSource[];
  /**
   * Automation that runs arbitrary workflows (GitHub Actions): agent evidence in a PR it opened still makes the PR
   * agent-authored (an agent action can open PRs as `github-actions[bot]`). Other automation bots' PRs stay
   * automation whatever their body quotes (Dependabot bodies quote upstream commit messages, trailers included).
   */
  runsAgents?: boolean;
  /** Public sources of the facts above. */
  sources: string[];
}

const AIDEV = 'AIDev dataset (arXiv:2507.15003), observed in ../shared/datasets/aidev-agent-prs.dev.jsonl';

/** Shorthand for an entry with defaults for the lists it does not use. */
function entry(e: Partial<AgentDescriptor> & Pick<AgentDescriptor, 'name' | 'displayName' | 'kind' | 'sources'>): AgentDescriptor {
  return {
    accounts: [],
    emails: [],
    authorNameSuffixes: [],
    trailers: [],
    bodyMarkers: [],
    branchPrefixes: [],
    branchPrefixesBeforeDigit: [],
    labels: [],
    humanOfRecord: [],
    ...e,
  };
}

/** Coding agents. */
export const BUILTIN_AGENTS: readonly AgentDescriptor[] = [
  entry({
    name: 'copilot',
    displayName: 'GitHub Copilot coding agent',
    kind: 'agent',
    // REST returns the PR author as login "Copilot", type "Bot", id 198982749 (html_url .../apps/copilot-swe-agent).
    accounts: [
      { login: 'Copilot', id: 198982749, type: 'Bot' },
      { login: 'copilot-swe-agent[bot]', id: 198982749, type: 'Bot' },
    ],
    emails: ['198982749+copilot@users.noreply.github.com'],
    bodyMarkers: ['gh.io/copilot-coding-agent-tips'],
    branchPrefixes: ['copilot/'],
    humanOfRecord: [{ from: 'assigner' }, { from: 'co_author' }, { from: 'assignee' }],
    sources: [
      'https://github.com/Shopify/shipit-engine/issues/1411 (REST user of a Copilot PR: login Copilot, id 198982749, type Bot)',
      'https://github.com/posit-dev/ark/pull/1001',
      'https://github.com/microsoft/vscode-pull-request-github/pull/6794 (assigning an issue to copilot-swe-agent starts it)',
      `${AIDEV}: PR author Copilot/198982749; body footer "Copilot coding agent tips (https://gh.io/copilot-coding-agent-tips)"; co-author trailer of the assigning human`,
    ],
  }),
  entry({
    name: 'claude-code',
    displayName: 'Claude Code (CLI, web, GitHub Action)',
    kind: 'agent',
    // claude[bot] is the Claude GitHub App used by anthropics/claude-code-action.
    accounts: [{ login: 'claude[bot]', id: 209825114, type: 'Bot' }],
    emails: ['noreply@anthropic.com', 'no-reply@anthropic.com'],
    trailers: [{ key: 'Claude-Session', valuePrefix: 'https://claude.ai/code/' }],
    bodyMarkers: ['generated with [claude code]', 'generated with claude code', 'claude.ai/code/session_'],
    // claude-code-action names branches `claude/issue-<n>-<yyyymmdd-hhmm>` / `claude/pr-<n>-...`; a bare `claude/` is
    // also a person's branch namespace.
    branchPrefixes: ['claude/issue-', 'claude/pr-'],
    humanOfRecord: [{ from: 'co_author' }],
    sources: [
      'Claude Code settings `includeCoAuthoredBy` (default true) adds "Co-Authored-By: Claude <noreply@anthropic.com>" and the PR footer "🤖 Generated with [Claude Code](https://claude.ai/code)"',
      'https://github.com/anthropics/claude-code-action/pull/249 (branch names `${branchPrefix}${entityType}-${entityNumber}-${timestamp}`, default prefix "claude/")',
      'Claude Code on the web adds "Claude-Session: https://claude.ai/code/session_..." (e.g. https://github.com/ericfitz/agentbus/releases/tag/v1.1.0)',
      `${AIDEV}: 99 "Co-Authored-By: Claude <noreply@anthropic.com>", 14 "<no-reply@anthropic.com>", co-author "claude[bot] <209825114+claude[bot]@users.noreply.github.com>"`,
    ],
  }),
  entry({
    name: 'codex',
    displayName: 'OpenAI Codex (cloud and CLI)',
    kind: 'agent',
    // chatgpt-codex-connector[bot] is the ChatGPT Codex GitHub App (reviews on request; can push when asked).
    accounts: [{ login: 'chatgpt-codex-connector[bot]', id: 199175422, type: 'Bot' }],
    emails: ['codex@openai.com'],
    bodyMarkers: ['chatgpt.com/codex/tasks/'],
    bodyTemplate: { headings: ['Summary', 'Testing'] },
    branchPrefixes: ['codex/'],
    labels: ['codex'],
    humanOfRecord: [],
    sources: [
      `${AIDEV}: 605 of 1322 Codex PR bodies link https://chatgpt.com/codex/tasks/task_...; 1179 carry the "codex" label; 1042 use the "## Summary / ## Testing" bullet layout; the dataset selected them by the "codex/" head branch`,
      'Codex commit identity "Codex <codex@openai.com>" (used in Codex tooling and in the co-author trailer projects ask Codex to add)',
      'chatgpt-codex-connector[bot] id 199175422: noreply address 199175422+chatgpt-codex-connector[bot]@users.noreply.github.com in public agent lists',
    ],
  }),
  entry({
    name: 'devin',
    displayName: 'Devin',
    kind: 'agent',
    accounts: [{ login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' }],
    emails: [],
    bodyMarkers: ['app.devin.ai/sessions/'],
    branchPrefixesBeforeDigit: ['devin/'],
    humanOfRecord: [{ from: 'body_mention', marker: 'requested by' }, { from: 'co_author' }],
    sources: [
      `${AIDEV}: PR author devin-ai-integration[bot] id 158243242; body "Link to Devin run: https://app.devin.ai/sessions/..." and "Requested by: ..."; trailer "Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>"; merge commits name head branches "devin/<unix time>-<slug>"`,
      'Note: "app.devin.ai/review/..." is Devin Review (a reviewer) and is deliberately not a marker',
    ],
  }),
  entry({
    name: 'cursor',
    displayName: 'Cursor (background agents)',
    kind: 'agent',
    // cursoragent is an ordinary user account run by Cursor; cursor[bot] is the Cursor App (Bugbot reviews, Slack-started PRs).
    accounts: [
      { login: 'cursoragent', id: 199161495, type: 'User' },
      { login: 'cursor[bot]', id: 206951365, type: 'Bot' },
    ],
    emails: ['cursoragent@cursor.com'],
    trailers: [{ key: 'Made-with', valuePrefix: 'Cursor' }],
    bodyMarkers: ['cursor.com/background-agent?bcid=', 'cursor.com/agents/bc-'],
    branchPrefixes: ['cursor/'],
    humanOfRecord: [],
    sources: [
      `${AIDEV}: commits by login cursoragent, "Signed-off-by: Cursor Agent <cursoragent@cursor.com>", branches "cursor/<slug>-<hex4>", a PR opened by cursor[bot]`,
      'Co-author "Cursor <199161495+cursoragent@users.noreply.github.com>" in public changelogs; PR footer links https://cursor.com/agents/bc-... and https://cursor.com/background-agent?bcId=bc-... (e.g. https://github.com/iurysza/termscope/pull/10)',
      'cursor[bot] 206951365: public agent lists (e.g. KnownAgentCommitters tables)',
    ],
  }),
  entry({
    name: 'jules',
    displayName: 'Google Jules',
    kind: 'agent',
    accounts: [{ login: 'google-labs-jules[bot]', id: 161369871, type: 'Bot' }],
    bodyMarkers: ['pr created automatically by jules for task', 'jules.google.com/task/'],
    branchPrefixes: [],
    humanOfRecord: [{ from: 'body_mention', marker: 'jules.google.com/task/' }, { from: 'co_author' }],
    sources: [
      'https://github.com/aavetis/PRarena/issues/56 (author google-labs-jules[bot])',
      'https://github.com/google-labs-code/jules-sdk/pull/94 (Jules sessions may open PRs under the user account with Jules as co-author)',
      'Body footer "PR created automatically by Jules for task [id](https://jules.google.com/task/id) started by @login"; noreply 161369871+google-labs-jules[bot]@users.noreply.github.com',
    ],
  }),
  entry({
    name: 'amazon-q',
    displayName: 'Amazon Q Developer',
    kind: 'agent',
    accounts: [{ login: 'amazon-q-developer[bot]', id: 208079219, type: 'Bot' }],
    humanOfRecord: [{ from: 'assigner' }],
    sources: [
      'noreply 208079219+amazon-q-developer[bot]@users.noreply.github.com in public agent lists (e.g. theammir/vibesigns.nvim README, mat-1/slopcheck)',
    ],
  }),
  entry({
    name: 'openhands',
    displayName: 'OpenHands',
    kind: 'agent',
    accounts: [{ login: 'openhands-agent', type: 'User' }],
    emails: ['openhands@all-hands.dev'],
    branchPrefixes: ['openhands-fix-issue-'],
    humanOfRecord: [{ from: 'co_author' }],
    sources: [
      'https://github.com/OpenHands/OpenHands/pull/10049 (default git identity "openhands <openhands@all-hands.dev>", Co-authored-by trailer)',
      'https://github.com/logic-star-ai/insights/pull/1 (openhands-agent account as commit author)',
      'OpenHands resolver send_pull_request: branch `openhands-fix-issue-<number>` (OpenHands/OpenHands openhands/resolver)',
    ],
  }),
  entry({
    name: 'aider',
    displayName: 'Aider',
    kind: 'agent',
    emails: ['noreply@aider.chat', 'aider@aider.chat'],
    authorNameSuffixes: [' (aider)'],
    humanOfRecord: [],
    sources: [
      'aider --attribute-author (default on) appends " (aider)" to the git author name; --attribute-co-authored-by adds "Co-authored-by: aider (<model>) <aider@aider.chat>" (older releases: noreply@aider.chat)',
    ],
  }),
  entry({
    name: 'amp',
    displayName: 'Amp',
    kind: 'agent',
    emails: ['amp@ampcode.com'],
    trailers: [{ key: 'Amp-Thread-ID', valuePrefix: 'https://ampcode.com/threads/' }],
    bodyMarkers: ['ampcode.com/threads/t-'],
    humanOfRecord: [],
    sources: [
      'Amp appends "Co-authored-by: Amp <amp@ampcode.com>" and "Amp-Thread-ID: https://ampcode.com/threads/T-..." to commits (seen in public commit logs, e.g. ghostty-org/ghostty)',
    ],
  }),
];

/** Non-AI automation bots: their PRs are `automation`, never `human`. */
export const BUILTIN_AUTOMATION: readonly AgentDescriptor[] = [
  entry({
    name: 'dependabot',
    displayName: 'Dependabot',
    kind: 'automation',
    accounts: [
      { login: 'dependabot[bot]', id: 49699333, type: 'Bot' },
      { login: 'dependabot-preview[bot]', id: 27856297, type: 'Bot' },
    ],
    branchPrefixes: ['dependabot/'],
    sources: [
      '../shared/datasets/human-prs.dev.jsonl: 49699333+dependabot[bot], 27856297+dependabot-preview[bot] commit emails, dependabot/ branches',
    ],
  }),
  entry({
    name: 'renovate',
    displayName: 'Renovate',
    kind: 'automation',
    accounts: [{ login: 'renovate[bot]', id: 29139614, type: 'Bot' }],
    emails: ['bot@renovateapp.com'],
    branchPrefixes: ['renovate/'],
    sources: [
      'Renovate docs: default gitAuthor "Renovate Bot <bot@renovateapp.com>", branchPrefix "renovate/"; 29139614+renovate[bot] in public commit logs',
    ],
  }),
  entry({
    name: 'github-actions',
    displayName: 'GitHub Actions',
    kind: 'automation',
    accounts: [{ login: 'github-actions[bot]', id: 41898282, type: 'Bot' }],
    runsAgents: true,
    sources: ['41898282+github-actions[bot]@users.noreply.github.com: the identity workflows commit as (GitHub docs, public workflows)'],
  }),
  entry({
    name: 'pre-commit-ci',
    displayName: 'pre-commit.ci',
    kind: 'automation',
    accounts: [{ login: 'pre-commit-ci[bot]', id: 66853113, type: 'Bot' }],
    branchPrefixes: ['pre-commit-ci-update-config'],
    sources: ['../shared/datasets/human-prs.dev.jsonl: 66853113+pre-commit-ci[bot] commits on pre-commit-ci-update-config'],
  }),
  entry({
    name: 'snyk',
    displayName: 'Snyk',
    kind: 'automation',
    accounts: [{ login: 'snyk-bot', type: 'User' }],
    emails: ['snyk-bot@snyk.io'],
    branchPrefixes: ['snyk-fix-', 'snyk-upgrade-'],
    sources: ['Snyk docs: commits in Snyk PRs are made by snyk-bot@snyk.io, branches snyk-fix-*/snyk-upgrade-*'],
  }),
  entry({
    name: 'mergify',
    displayName: 'Mergify',
    kind: 'automation',
    accounts: [{ login: 'mergify[bot]', id: 37929162, type: 'Bot' }],
    branchPrefixes: ['mergify/'],
    sources: ['37929162+mergify[bot]@users.noreply.github.com in public commit logs'],
  }),
  entry({
    name: 'autofix-ci',
    displayName: 'autofix.ci',
    kind: 'automation',
    accounts: [{ login: 'autofix-ci[bot]', id: 114827586, type: 'Bot' }],
    sources: ['114827586+autofix-ci[bot]@users.noreply.github.com in public commit logs; AIDev dataset commits'],
  }),
  entry({
    name: 'imgbot',
    displayName: 'Imgbot',
    kind: 'automation',
    accounts: [{ login: 'imgbot[bot]', type: 'Bot' }],
    emails: ['imgbothelp@gmail.com'],
    branchPrefixes: ['imgbot'],
    sources: ['Imgbot docs and source: author and committer "ImgBotApp <ImgBotHelp@gmail.com>", branch "imgbot"'],
  }),
  entry({
    name: 'pyup',
    displayName: 'pyup.io',
    kind: 'automation',
    accounts: [{ login: 'pyup-bot', type: 'User' }],
    emails: ['github-bot@pyup.io'],
    branchPrefixes: ['pyup-', 'pyup/'],
    sources: ['pyup.io commits as "pyup-bot <github-bot@pyup.io>" (bot-email lists in public repositories)'],
  }),
  entry({
    name: 'allcontributors',
    displayName: 'All Contributors',
    kind: 'automation',
    accounts: [{ login: 'allcontributors[bot]', id: 46447321, type: 'Bot' }],
    branchPrefixes: ['all-contributors/'],
    sources: ['46447321+allcontributors[bot]@users.noreply.github.com in public commit logs; branches all-contributors/add-<login>'],
  }),
  entry({
    name: 'greenkeeper',
    displayName: 'Greenkeeper',
    kind: 'automation',
    accounts: [{ login: 'greenkeeper[bot]', type: 'Bot' }],
    branchPrefixes: ['greenkeeper/'],
    sources: ['Greenkeeper (retired 2020) opened PRs from greenkeeper/ branches'],
  }),
];

/** AI review bots: their reviews, comments and applied suggestions never make a PR agent-authored. */
export const BUILTIN_REVIEW_BOTS: readonly AgentDescriptor[] = [
  entry({
    name: 'copilot-code-review',
    displayName: 'Copilot code review',
    kind: 'review-bot',
    // Applied suggestions carry "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>": same name as the
    // coding agent, different id — which is why ids win over logins.
    accounts: [{ login: 'copilot-pull-request-reviewer[bot]', id: 175728472, type: 'Bot' }],
    sources: [
      `${AIDEV}: 14 "Co-authored-by: Copilot <175728472+Copilot@...>" on "Apply suggestions from code review" commits of Codex PRs`,
    ],
  }),
  entry({
    name: 'coderabbit',
    displayName: 'CodeRabbit',
    kind: 'review-bot',
    accounts: [{ login: 'coderabbitai[bot]', id: 136622811, type: 'Bot' }],
    sources: [`${AIDEV}: 136622811+coderabbitai[bot] co-author trailers`],
  }),
  entry({
    name: 'gemini-code-assist',
    displayName: 'Gemini Code Assist',
    kind: 'review-bot',
    accounts: [{ login: 'gemini-code-assist[bot]', id: 176961590, type: 'Bot' }],
    sources: [`${AIDEV}: 176961590+gemini-code-assist[bot] co-author trailers`],
  }),
  entry({
    name: 'github-advanced-security',
    displayName: 'Copilot Autofix (code scanning)',
    kind: 'review-bot',
    accounts: [{ login: 'github-advanced-security[bot]', id: 62310815, type: 'Bot' }],
    sources: [`${AIDEV}: "Co-authored-by: Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@...>"`],
  }),
  entry({
    name: 'sourcery',
    displayName: 'Sourcery',
    kind: 'review-bot',
    accounts: [{ login: 'sourcery-ai[bot]', id: 58596630, type: 'Bot' }],
    sources: [`${AIDEV}: 58596630+sourcery-ai[bot] co-author trailers`],
  }),
  entry({
    name: 'graphite',
    displayName: 'Graphite',
    kind: 'review-bot',
    accounts: [{ login: 'graphite-app[bot]', id: 96075541, type: 'Bot' }],
    sources: [`${AIDEV}: 96075541+graphite-app[bot] co-author trailers`],
  }),
  entry({
    name: 'greptile',
    displayName: 'Greptile',
    kind: 'review-bot',
    accounts: [{ login: 'greptile-apps[bot]', id: 165735046, type: 'Bot' }],
    sources: [`${AIDEV}: 165735046+greptile-apps[bot] co-author trailers`],
  }),
  entry({
    name: 'ellipsis',
    displayName: 'Ellipsis',
    kind: 'review-bot',
    accounts: [{ login: 'ellipsis-dev[bot]', id: 65095814, type: 'Bot' }],
    sources: [`${AIDEV}: 65095814+ellipsis-dev[bot] co-author trailers`],
  }),
  entry({
    name: 'qodo',
    displayName: 'Qodo Merge',
    kind: 'review-bot',
    accounts: [
      { login: 'qodo-merge-pro[bot]', type: 'Bot' },
      { login: 'qodo-merge-pro-for-open-source[bot]', id: 189517486, type: 'Bot' },
    ],
    sources: [`${AIDEV}: 189517486+qodo-merge-pro-for-open-source[bot] co-author trailer`],
  }),
];

/** The whole built-in catalog: agents first (their order breaks no ties; see classify.ts). */
export const BUILTIN_CATALOG: readonly AgentDescriptor[] = [...BUILTIN_AGENTS, ...BUILTIN_AUTOMATION, ...BUILTIN_REVIEW_BOTS];
