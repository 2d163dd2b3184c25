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
    displayName: 'GitHub Copilot (coding agent, CLI, IDE agent mode)',
    kind: 'agent',
    // Coding agent: REST returns the PR author as login "Copilot", type "Bot", id 198982749 (html_url .../apps/copilot-swe-agent).
    // CLI, SDK and Desktop: co-author "Copilot <223556219+Copilot@users.noreply.github.com>" — same name, another id; the
    // address is listed exactly (ids decide, and 223556219 is not the coding agent's id). VS Code agent mode
    // (`git.addAICoAuthor`): "Copilot <copilot@github.com>". Copilot code review (175728472) is a review bot below.
    accounts: [
      { login: 'Copilot', id: 198982749, type: 'Bot' },
      { login: 'copilot-swe-agent[bot]', id: 198982749, type: 'Bot' },
    ],
    emails: ['198982749+copilot@users.noreply.github.com', '223556219+copilot@users.noreply.github.com', 'copilot@github.com'],
    bodyMarkers: ['gh.io/copilot-coding-agent-tips'],
    branchPrefixes: ['copilot/'],
    humanOfRecord: [{ from: 'assigner' }, { from: 'co_author' }, { from: 'assignee' }],
    sources: [
      'https://github.com/Shopify/shipit-engine/issues/1411 (REST user of a Copilot PR: login Copilot, id 198982749, type Bot; App copilot-swe-agent[bot])',
      'https://github.com/posit-dev/ark/pull/1001 (commits by "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>")',
      'https://github.com/microsoft/vscode-pull-request-github/pull/6794 (assigning an issue to copilot-swe-agent starts it)',
      `${AIDEV}: PR author Copilot/198982749; body footer "Copilot coding agent tips (https://gh.io/copilot-coding-agent-tips)"; co-author trailer of the assigning human`,
      'Copilot CLI: https://github.com/github/copilot-cli/issues/3177 (maintainer: the CLI adds a `Co-authored-by: Copilot` trailer since v0.0.410, opt-out since v0.0.411) and #3181 (`"includeCoAuthoredBy": false` in .copilot/settings.json); the trailer as written in public commits and agent instructions: "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>" (avatars.githubusercontent.com/u/223556219 is the Copilot avatar)',
      'VS Code agent mode: https://github.com/microsoft/vscode/pull/296435 and issue #266584 (setting `git.addAICoAuthor` adds "Co-authored-by: Copilot <copilot@github.com>"); VS Code wrote it without Copilot use between 2026-04-22 and 2026-05-06 (microsoft/vscode#314311), so it is an assisted-level, medium-confidence trace',
    ],
  }),
  entry({
    name: 'claude-code',
    displayName: 'Claude Code (CLI, web, GitHub Action, Claude agent on GitHub)',
    kind: 'agent',
    // claude[bot] is the Claude GitHub App used by anthropics/claude-code-action. "Claude" (id 242468646, type Bot) is the
    // REST user of the anthropic-code-agent App (Claude assigned as an agent on GitHub); "claude" (id 81847) is a person.
    accounts: [
      { login: 'claude[bot]', id: 209825114, type: 'Bot' },
      { login: 'Claude', id: 242468646, type: 'Bot' },
      { login: 'anthropic-code-agent[bot]', id: 242468646, type: 'Bot' },
    ],
    emails: ['noreply@anthropic.com', 'no-reply@anthropic.com'],
    trailers: [{ key: 'Claude-Session', valuePrefix: 'https://claude.ai/code/' }],
    bodyMarkers: ['generated with [claude code]', 'generated with claude code', 'claude.ai/code/session_'],
    // claude-code-action names branches `claude/issue-<n>-<yyyymmdd-hhmm>` / `claude/pr-<n>-...`; a bare `claude/` is
    // also a person's branch namespace.
    branchPrefixes: ['claude/issue-', 'claude/pr-'],
    humanOfRecord: [{ from: 'assigner' }, { from: 'co_author' }],
    sources: [
      'Claude Code settings `includeCoAuthoredBy` / `attribution` (default on) add "Co-Authored-By: Claude <noreply@anthropic.com>" — since 2025 naming the model, e.g. "Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>" (https://github.com/LuisLadino/claude-kit/issues/81, https://github.com/anthropics/claude-code/issues/27083) — and the footer "🤖 Generated with [Claude Code](https://claude.ai/code)", later "(https://claude.com/claude-code)" (e.g. https://github.com/maystudios/maxsimcli/pull/151)',
      'https://github.com/anthropics/claude-code-action/pull/249 (branch names `${branchPrefix}${entityType}-${entityNumber}-${timestamp}`, default prefix "claude/")',
      'Claude Code on the web commits as "Claude Code <noreply@anthropic.com>" (https://github.com/anthropics/claude-code/issues/18715) and adds "Claude-Session: https://claude.ai/code/session_..." (e.g. https://github.com/ericfitz/agentbus/releases/tag/v1.1.0)',
      'claude-code-action commits as "claude[bot] <41898282+claude[bot]@users.noreply.github.com>": the App name with github-actions[bot]\'s id (public commits, e.g. blame reports and rewrite scripts naming that address); see the name-versus-id rule in identity.ts',
      'GitHub REST /users/anthropic-code-agent[bot] → {id 242468646, login "Claude", type "Bot", html_url https://github.com/apps/anthropic-code-agent}; its commits: "anthropic-code-agent[bot] <242468646+Claude@users.noreply.github.com>" on `claude/…` branches (public commit logs)',
      `${AIDEV}: 99 "Co-Authored-By: Claude <noreply@anthropic.com>", 14 "<no-reply@anthropic.com>", co-author "claude[bot] <209825114+claude[bot]@users.noreply.github.com>"`,
    ],
  }),
  entry({
    name: 'codex',
    displayName: 'OpenAI Codex (cloud, CLI, Codex agent on GitHub)',
    kind: 'agent',
    // chatgpt-codex-connector[bot] is the ChatGPT Codex GitHub App (reviews on request; can push when asked). "Codex"
    // (id 242516109, type Bot) is the REST user of the openai-code-agent App (Codex assigned as an agent on GitHub).
    accounts: [
      { login: 'chatgpt-codex-connector[bot]', id: 199175422, type: 'Bot' },
      { login: 'Codex', id: 242516109, type: 'Bot' },
      { login: 'openai-code-agent[bot]', id: 242516109, type: 'Bot' },
    ],
    emails: ['codex@openai.com', 'noreply@openai.com', '267193182+codex@users.noreply.github.com'],
    bodyMarkers: ['chatgpt.com/codex/tasks/', 'generated with [codex](https://openai.com/codex'],
    bodyTemplate: { headings: ['Summary', 'Testing'] },
    branchPrefixes: ['codex/'],
    labels: ['codex'],
    humanOfRecord: [{ from: 'assigner' }],
    sources: [
      `${AIDEV}: 605 of 1322 Codex PR bodies link https://chatgpt.com/codex/tasks/task_...; 1179 carry the "codex" label; 1042 use the "## Summary / ## Testing" bullet layout; the dataset selected them by the "codex/" head branch`,
      'Codex CLI source (openai/codex, codex-rs, PR #11617): `const DEFAULT_ATTRIBUTION_VALUE: &str = "Codex <noreply@openai.com>"` → "Co-authored-by: Codex <noreply@openai.com>" when `commit_attribution` is on (https://github.com/openai/codex/issues/14051, #19799)',
      'Commit identity "Codex <codex@openai.com>" (Codex tooling and public co-author trailers, e.g. https://github.com/s-morgan-jeffries/apple-mail-fast-mcp/pull/455)',
      'Co-author "Codex <267193182+codex@users.noreply.github.com>" (GitHub user `codex`, id 267193182, type User) written into commits by Codex sessions in public repositories; the address is matched, the `codex` login is not (it is an ordinary user account)',
      'GitHub REST /users/openai-code-agent[bot] → {id 242516109, login "Codex", type "Bot", html_url https://github.com/apps/openai-code-agent}; co-author "openai-code-agent[bot] <242516109+Codex@users.noreply.github.com>" in public commits',
      'PR footer "Generated with [Codex](https://openai.com/codex)" observed on public PRs (detection rule pr.codex.footer of public agent-adoption scans)',
      'chatgpt-codex-connector[bot] id 199175422: noreply address 199175422+chatgpt-codex-connector[bot]@users.noreply.github.com in public agent lists',
    ],
  }),
  entry({
    name: 'devin',
    displayName: 'Devin',
    kind: 'agent',
    accounts: [{ login: 'devin-ai-integration[bot]', id: 158243242, type: 'Bot' }],
    emails: ['devin@cognition.ai'],
    bodyMarkers: ['app.devin.ai/sessions/', 'generated with [devin](https://devin.ai'],
    branchPrefixesBeforeDigit: ['devin/'],
    humanOfRecord: [{ from: 'body_mention', marker: 'requested by' }, { from: 'co_author' }],
    sources: [
      `${AIDEV}: PR author devin-ai-integration[bot] id 158243242; body "Link to Devin run: https://app.devin.ai/sessions/..." and "Requested by: ..."; trailer "Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>"; merge commits name head branches "devin/<unix time>-<slug>"`,
      'Devin trailer variants "Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>", "Co-Authored-By: Devin <devin@cognition.ai>" and the footer "Generated with [Devin](https://devin.ai)" in public commits (rules msg.devin.cognition / msg.devin.generated of public agent-adoption scans; classify-ai-signals rule lists)',
      'Note: "app.devin.ai/review/..." is Devin Review (a reviewer) and is deliberately not a marker',
    ],
  }),
  entry({
    name: 'cursor',
    displayName: 'Cursor (background and cloud agents, CLI)',
    kind: 'agent',
    // cursoragent is an ordinary user account run by Cursor; cursor[bot] is the Cursor App (Bugbot reviews, Slack-started PRs).
    accounts: [
      { login: 'cursoragent', id: 199161495, type: 'User' },
      { login: 'cursor[bot]', id: 206951365, type: 'Bot' },
    ],
    emails: ['cursoragent@cursor.com'],
    trailers: [{ key: 'Made-with', valuePrefix: 'Cursor' }],
    bodyMarkers: [
      'cursor.com/background-agent?bcid=',
      'cursor.com/agents/bc-',
      'cursor.com/agents?id=bc-',
      '<!-- cursor_agent_pr_body_begin -->',
    ],
    branchPrefixes: ['cursor/'],
    humanOfRecord: [],
    sources: [
      `${AIDEV}: commits by login cursoragent, "Signed-off-by: Cursor Agent <cursoragent@cursor.com>", branches "cursor/<slug>-<hex4>", a PR opened by cursor[bot]`,
      'Cursor adds the trailer "Made-with: Cursor" to commits it writes (public commit logs; rule msg.cursor.made-with of public agent-adoption scans)',
      'Co-author "Cursor <199161495+cursoragent@users.noreply.github.com>" and "Cursor Agent <cursoragent@cursor.com>" in public changelogs and commits; PR footer links https://cursor.com/agents/bc-..., https://cursor.com/agents?id=bc-... and https://cursor.com/background-agent?bcId=bc-..., body opening "<!-- CURSOR_AGENT_PR_BODY_BEGIN -->" (e.g. https://github.com/iurysza/termscope/pull/10; rule pr.cursor.agent-body of public agent-adoption scans)',
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
    branchPrefixesBeforeDigit: ['Q-DEV-issue-'],
    humanOfRecord: [{ from: 'assigner' }],
    sources: [
      'noreply 208079219+amazon-q-developer[bot]@users.noreply.github.com in public agent lists (e.g. theammir/vibesigns.nvim README, mat-1/slopcheck)',
      'Amazon Q Developer names its branches "Q-DEV-issue-<issue>-<unix time>" (public repositories, e.g. merge-conflict reports naming Q-DEV-issue-2-1760465702; rule pr.amazonq.branch of public agent-adoption scans)',
    ],
  }),
  entry({
    name: 'openhands',
    displayName: 'OpenHands (formerly OpenDevin)',
    kind: 'agent',
    accounts: [
      { login: 'openhands-agent', type: 'User' },
      { login: 'openhands-ai[bot]', type: 'Bot' },
    ],
    emails: ['openhands@all-hands.dev', 'opendevin@all-hands.dev'],
    branchPrefixes: ['openhands-fix-issue-', 'openhands-fix-pr-'],
    humanOfRecord: [{ from: 'co_author' }],
    sources: [
      'https://github.com/OpenHands/OpenHands/pull/10049 (default git identity "openhands <openhands@all-hands.dev>", Co-authored-by trailer)',
      'OpenDevin (the project\'s name until 2024) sandbox source: `git config --global user.name "OpenDevin"` / `user.email "opendevin@all-hands.dev"` (opendevin/runtime sandbox setup in All-Hands-AI/OpenDevin)',
      'https://github.com/logic-star-ai/insights/pull/1 (openhands-agent account as commit author)',
      'openhands-ai[bot]: the OpenHands Cloud GitHub App that answers @openhands mentions and the `openhands` label and opens PRs (public workflows and bot allow-lists naming it)',
      'OpenHands resolver send_pull_request: branch `openhands-fix-issue-<number>` (OpenHands/OpenHands openhands/resolver); `openhands-fix-pr-<n>` for PR follow-ups (rule pr.openhands.branch of public agent-adoption scans)',
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
  entry({
    name: 'gemini-cli',
    displayName: 'Gemini CLI (and its GitHub Action)',
    kind: 'agent',
    // The Action's workflows commit as "gemini-cli[bot] <gemini-cli[bot]@users.noreply.github.com>" (no id) and open PRs
    // through the App token or GITHUB_TOKEN; gemini-cli-robot (a user account) is gemini-cli's release automation, not an agent.
    accounts: [{ login: 'gemini-cli[bot]', type: 'Bot' }],
    emails: ['gemini-cli@google.com'],
    branchPrefixesBeforeDigit: ['gemini-issue-'],
    humanOfRecord: [{ from: 'co_author' }],
    sources: [
      "google-github-actions/run-gemini-cli examples/workflows/gemini-cli/gemini-cli.yml: `git config --global user.name 'gemini-cli[bot]'`, `user.email 'gemini-cli[bot]@users.noreply.github.com'`, branch \"gemini-issue-<issue number>\"",
      'google-gemini/gemini-cli packages/core/src/services/gitService.ts: the CLI\'s own git identity "Gemini CLI <gemini-cli@google.com>" (checkpoint repository), which appears as author and co-author in public commits ("Co-authored-by: Gemini CLI <gemini-cli@google.com>")',
      'https://github.com/google-gemini/gemini-cli/pull/5730 (gemini-cli-robot is a robot account for release automation: not an agent)',
    ],
  }),
  entry({
    name: 'factory',
    displayName: 'Factory droids',
    kind: 'agent',
    accounts: [{ login: 'factory-droid[bot]', id: 138933559, type: 'Bot' }],
    humanOfRecord: [{ from: 'co_author' }],
    sources: [
      'Factory droids co-author commits as "factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>" and author them in cloud runs (public commits and droid-written commit templates; e.g. "Author: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>" in public security reports)',
    ],
  }),
  entry({
    name: 'windsurf',
    displayName: 'Windsurf (Cascade)',
    kind: 'agent',
    // No documented default: these are the identities Cascade writes in public commits. Only exact addresses match, so
    // a Codeium/Windsurf employee's own address is not the agent.
    accounts: [{ login: 'windsurf-bot[bot]', id: 189301087, type: 'Bot' }],
    emails: ['windsurf@codeium.com', 'noreply@codeium.com', 'cascade@windsurf.ai', 'cascade@windsurf.com', 'noreply@windsurf.ai'],
    humanOfRecord: [],
    sources: [
      'windsurf-bot[bot] id 189301087 (app 1066231), Windsurf\'s GitHub App: public bot registries and "Co-authored-by: … <189301087+windsurf-bot[bot]@users.noreply.github.com>" trailers Cascade writes',
      'Cascade co-author trailers "Windsurf <windsurf@codeium.com>", "Cascade (Windsurf) <noreply@codeium.com>", "Windsurf Cascade <cascade@windsurf.ai>" / "<cascade@windsurf.com>", "Windsurf AI <noreply@windsurf.ai>" in public commits and in the detection rules of public AI-attribution tools (e.g. rule msg.windsurf.cascade; a landscape audit counting ~960 commits)',
    ],
  }),
  entry({
    name: 'kiro',
    displayName: 'Kiro',
    kind: 'agent',
    // kiro-agent (User, 244629292) is the identity Kiro and Kiro CLI write as author or co-author; kiro-agent[bot]
    // (245459735) is Kiro's GitHub App (autonomous agent).
    accounts: [
      { login: 'kiro-agent', id: 244629292, type: 'User' },
      { login: 'kiro-agent[bot]', id: 245459735, type: 'Bot' },
    ],
    humanOfRecord: [{ from: 'assigner' }, { from: 'co_author' }],
    sources: [
      '"Kiro Agent <244629292+kiro-agent@users.noreply.github.com>" as author and as the co-author trailer Kiro CLI writes by default (public commits and Kiro CLI system-prompt defaults, e.g. "Co-authored-by: Kiro Agent <244629292+kiro-agent@users.noreply.github.com>")',
      '"kiro-agent[bot] <245459735+kiro-agent[bot]@users.noreply.github.com>" (Kiro\'s GitHub App) in public commits; ids checked on the REST users API by public agent-adoption scans',
    ],
  }),
  entry({
    name: 'sweep',
    displayName: 'Sweep',
    kind: 'agent',
    accounts: [
      { login: 'sweep-ai[bot]', id: 128439645, type: 'Bot' },
      { login: 'sweep-ai-deprecated[bot]', type: 'Bot' },
    ],
    branchPrefixes: ['sweep/'],
    humanOfRecord: [{ from: 'assigner' }],
    sources: [
      'Sweep opens PRs as "sweep-ai[bot] <128439645+sweep-ai[bot]@users.noreply.github.com>" from "sweep/<slug>" branches; the retired App is sweep-ai-deprecated[bot] (public agent rule lists, e.g. config/rules/agents.json of a public agent-detection project)',
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
