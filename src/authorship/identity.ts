/**
 * Identity matching: which catalog (or custom) entry a GitHub account, a git email or a git name belongs to.
 * Pure functions over plain data; the compiled index is cached per options object.
 */
import { BUILTIN_CATALOG, type AgentDescriptor, type AgentKind } from './catalog.js';
import type { AccountInput, AuthorClass, AuthorshipOptions, CustomAgent } from './types.js';

/** A compiled lookup over the catalog entries the options enable. */
export interface IdentityIndex {
  entries: readonly AgentDescriptor[];
  byId: Map<number, AgentDescriptor>;
  /** REST logins, lower-case (`devin-ai-integration[bot]`, `copilot`, `cursoragent`). */
  byRestLogin: Map<string, AgentDescriptor>;
  /** GraphQL forms of bot logins (`devin-ai-integration`), lower-case: only trusted with `type: "Bot"` or a matching id. */
  byBotSlug: Map<string, AgentDescriptor>;
  byEmail: Map<string, AgentDescriptor>;
  /** Custom entries' `*@domain` email patterns: domain (lower-case, with `@`) → entry. */
  byEmailDomain: Map<string, AgentDescriptor>;
}

const BOT_SUFFIX = '[bot]';
const NOREPLY_DOMAIN = '@users.noreply.github.com';

/** Lower-cased, trimmed, non-empty strings. */
function cleanList(values: readonly string[] | undefined, lower = true): string[] {
  return (values ?? []).map((v) => (lower ? v.trim().toLowerCase() : v.trim())).filter((v) => v !== '');
}

/**
 * Converts a `CustomAgent` from `.github/ai-review.yml` to a catalog entry (kind `agent` unless it says otherwise).
 * `logins` are accepted with or without `[bot]` (both forms, as REST logins); `accounts` carry a login with its
 * numeric id and type, exactly as the built-in catalog does.
 */
export function customAgentDescriptor(custom: CustomAgent): AgentDescriptor {
  const accounts: AgentDescriptor['accounts'] = [];
  for (const raw of custom.logins ?? []) {
    const login = raw.trim().replace(/^@/, '');
    if (login === '') continue;
    // The "[bot]" suffix is optional in the config: accept both forms, as REST logins.
    const bare = login.toLowerCase().endsWith(BOT_SUFFIX) ? login.slice(0, -BOT_SUFFIX.length) : login;
    accounts.push({ login: bare, type: 'User' }, { login: `${bare}${BOT_SUFFIX}`, type: 'Bot' });
  }
  for (const account of custom.accounts ?? []) {
    const login = account.login.trim().replace(/^@/, '');
    if (login === '') continue;
    const type = account.type ?? (login.toLowerCase().endsWith(BOT_SUFFIX) ? 'Bot' : 'User');
    accounts.push({ login, type, ...(account.id !== undefined ? { id: account.id } : {}) });
  }
  const template = cleanList(custom.body_template, false);
  return {
    name: custom.name,
    displayName: custom.name,
    kind: custom.kind ?? 'agent',
    accounts,
    emails: cleanList(custom.commit_emails),
    authorNameSuffixes: (custom.author_name_suffixes ?? []).filter((s) => s.trim() !== ''),
    trailers: (custom.trailers ?? [])
      .filter((t) => t.key.trim() !== '' && t.value_prefix.trim() !== '')
      .map((t) => ({ key: t.key.trim(), valuePrefix: t.value_prefix.trim() })),
    bodyMarkers: (custom.body_markers ?? []).map((m) => m.toLowerCase()).filter((m) => m.trim() !== ''),
    ...(template.length > 0 ? { bodyTemplate: { headings: template } } : {}),
    branchPrefixes: (custom.branch_prefixes ?? []).filter((p) => p !== ''),
    branchPrefixesBeforeDigit: (custom.branch_prefixes_before_digit ?? []).filter((p) => p !== ''),
    labels: custom.labels ?? [],
    humanOfRecord: [],
    sources: ['.github/ai-review.yml agents.custom'],
  };
}

const indexCache = new WeakMap<AuthorshipOptions, IdentityIndex>();

/**
 * Builds (or returns the cached) index for `options` (treated as immutable: the cache is keyed by the object).
 * Custom agents first, so a custom entry wins over a built-in one
 * with the same login or email; the built-in catalog only when `options.builtin`.
 */
export function identityIndex(options: AuthorshipOptions): IdentityIndex {
  const cached = indexCache.get(options);
  if (cached) return cached;
  const entries = [...options.custom.map(customAgentDescriptor), ...(options.builtin ? BUILTIN_CATALOG : [])];
  const index: IdentityIndex = {
    entries,
    byId: new Map(),
    byRestLogin: new Map(),
    byBotSlug: new Map(),
    byEmail: new Map(),
    byEmailDomain: new Map(),
  };
  const setOnce = <K>(map: Map<K, AgentDescriptor>, key: K, entry: AgentDescriptor): void => {
    if (!map.has(key)) map.set(key, entry);
  };
  for (const entry of entries) {
    for (const account of entry.accounts) {
      const login = account.login.toLowerCase();
      if (account.id !== undefined) setOnce(index.byId, account.id, entry);
      setOnce(index.byRestLogin, login, entry);
      if (account.type === 'Bot') {
        const slug = login.endsWith(BOT_SUFFIX) ? login.slice(0, -BOT_SUFFIX.length) : login;
        setOnce(index.byBotSlug, slug, entry);
        if (account.id !== undefined) {
          setOnce(index.byEmail, `${account.id}+${slug}${NOREPLY_DOMAIN}`, entry);
          setOnce(index.byEmail, `${account.id}+${slug}${BOT_SUFFIX}${NOREPLY_DOMAIN}`, entry);
        }
        setOnce(index.byEmail, `${slug}${BOT_SUFFIX}${NOREPLY_DOMAIN}`, entry);
      } else {
        if (account.id !== undefined) setOnce(index.byEmail, `${account.id}+${login}${NOREPLY_DOMAIN}`, entry);
        setOnce(index.byEmail, `${login}${NOREPLY_DOMAIN}`, entry);
      }
    }
    for (const email of entry.emails) {
      if (email.startsWith('*@')) setOnce(index.byEmailDomain, email.slice(1), entry);
      else setOnce(index.byEmail, email, entry);
    }
  }
  indexCache.set(options, index);
  return index;
}

/** How an account matched: `id` (numeric id), `login` (REST login or GraphQL bot login with type Bot). */
export interface AccountMatch {
  entry: AgentDescriptor;
  by: 'id' | 'login';
}

/**
 * Finds the entry an account belongs to. When the payload carries an id and the catalog knows the entry's id, only
 * the id decides (a login can be renamed or re-used; `Copilot` is both the coding agent 198982749 and, in
 * trailers, the reviewer 175728472). A login without `[bot]` matches a bot entry only with `type: "Bot"`:
 * `claude` is a person's login as well as the GraphQL login of `claude[bot]`.
 */
export function matchAccount(account: AccountInput | null | undefined, index: IdentityIndex): AccountMatch | null {
  if (!account) return null;
  const id = typeof account.id === 'number' ? account.id : null;
  if (id !== null) {
    const byId = index.byId.get(id);
    if (byId) return { entry: byId, by: 'id' };
  }
  const login = typeof account.login === 'string' ? account.login.toLowerCase() : '';
  if (login === '') return null;
  const isBotType = account.type === 'Bot';
  const candidates: AgentDescriptor[] = [];
  const rest = index.byRestLogin.get(login);
  if (rest) candidates.push(rest);
  if (isBotType && !login.endsWith(BOT_SUFFIX)) {
    const slug = index.byBotSlug.get(login);
    if (slug) candidates.push(slug);
  }
  const platformBot = isBotType || login.endsWith(BOT_SUFFIX);
  for (const entry of candidates) {
    // An id that contradicts the entry's known id is another account with the same name, unless the platform says
    // it is a bot: App logins are unique per instance, and GitHub Enterprise Server gives Apps other ids.
    const known =
      entry.accounts.find((a) => a.login.toLowerCase() === login) ??
      entry.accounts.find((a) => a.login.toLowerCase() === `${login}${BOT_SUFFIX}`);
    if (id !== null && known?.id !== undefined && known.id !== id && !platformBot) continue;
    // A REST login without "[bot]" that the catalog lists as a bot ("Copilot", "Claude", "Codex") is the name GitHub
    // gives an App's user, and people hold the same logins ("claude" is user 81847, "codex" user 267193182). Without
    // the id, only `type: "Bot"` tells them apart: a bare name is never enough.
    if (known?.type === 'Bot' && !login.endsWith(BOT_SUFFIX) && account.type !== 'Bot') continue;
    return { entry, by: 'login' };
  }
  return null;
}

/** Parses `<id>+<login>@users.noreply.github.com` / `<login>@users.noreply.github.com`. Returns null for other emails. */
export function parseNoreplyEmail(email: string): { id: number | null; login: string } | null {
  const lower = email.toLowerCase();
  if (!lower.endsWith(NOREPLY_DOMAIN)) return null;
  const local = lower.slice(0, -NOREPLY_DOMAIN.length);
  const plus = local.indexOf('+');
  if (plus > 0) {
    const idText = local.slice(0, plus);
    if (/^\d{1,12}$/.test(idText)) return { id: Number(idText), login: local.slice(plus + 1) };
  }
  return local === '' ? null : { id: null, login: local };
}

/** How an email matched (`explainEmail` reports it). */
export type EmailMatchRule = 'exact' | 'domain' | 'noreply-id' | 'noreply-login' | 'noreply-login-over-runner-id';

/**
 * Finds the entry a git email belongs to, and by which rule. Null when none.
 *
 * Rules, in order (docs/authorship.md, "When a name and an id disagree"):
 * 1. `exact`: an address the catalog lists (including id-carrying noreply addresses a tool writes, such as Copilot
 *    CLI's `223556219+Copilot@users.noreply.github.com`, whose name is the coding agent's but whose id is not).
 * 2. `domain`: a custom entry's `*@domain` pattern.
 * 3. GitHub noreply `<id>+<login>@users.noreply.github.com`: GitHub generates these from one account, so the id and
 *    the login agree unless someone typed the address. When they agree or only the id is known, the id decides
 *    (`noreply-id`: `175728472+Copilot@…` is Copilot code review, not the coding agent). One exception, by evidence:
 *    when the id is a workflow runner's (`github-actions[bot]`, 41898282, an entry with `runsAgents`) and the login is
 *    an agent's bot (`41898282+claude[bot]@…`, what claude-code-action writes), the workflow chose the name and the id
 *    only says "a workflow": the agent wins (`noreply-login-over-runner-id`). A known login with another, unknown id
 *    is another account: no match.
 * 4. `noreply-login`: `<login>@users.noreply.github.com` (or an unknown id): the login as an account (a bare login
 *    only in its `[bot]` form or as a vendor-run user account).
 */
export function matchEmailRule(
  email: string | null | undefined,
  index: IdentityIndex,
): { entry: AgentDescriptor; rule: EmailMatchRule } | null {
  if (typeof email !== 'string' || email === '') return null;
  const lower = email.trim().toLowerCase();
  const exact = index.byEmail.get(lower);
  if (exact) return { entry: exact, rule: 'exact' };
  const at = lower.lastIndexOf('@');
  if (at > 0) {
    const domain = index.byEmailDomain.get(lower.slice(at));
    if (domain) return { entry: domain, rule: 'domain' };
  }
  const noreply = parseNoreplyEmail(lower);
  if (!noreply) return null;
  const byLogin = noreplyLoginMatch(noreply.login, index);
  if (noreply.id !== null) {
    const byId = index.byId.get(noreply.id);
    if (byId) {
      if (byId.runsAgents === true && byLogin && byLogin !== byId && byLogin.kind === 'agent') {
        return { entry: byLogin, rule: 'noreply-login-over-runner-id' };
      }
      return { entry: byId, rule: 'noreply-id' };
    }
    // A known login with a different id is another account: no match. Unknown ids fall through to the login.
    const rest = index.byRestLogin.get(noreply.login);
    if (rest && rest.accounts.some((a) => a.id !== undefined)) return null;
  }
  return byLogin ? { entry: byLogin, rule: 'noreply-login' } : null;
}

/** The entry a noreply address's login names: `[bot]` logins as App bots, others as accounts. */
function noreplyLoginMatch(login: string, index: IdentityIndex): AgentDescriptor | null {
  const type = login.endsWith(BOT_SUFFIX) ? 'Bot' : undefined;
  return matchAccount({ login, ...(type ? { type } : {}) }, index)?.entry ?? null;
}

/** The entry a git email belongs to (see `matchEmailRule` for the rules), or null. */
export function matchEmail(email: string | null | undefined, index: IdentityIndex): AgentDescriptor | null {
  return matchEmailRule(email, index)?.entry ?? null;
}

/** True when a login or type says the account is a bot (REST `[bot]` suffix or `type: "Bot"`). */
export function isBotAccount(account: AccountInput | null | undefined): boolean {
  if (!account) return false;
  if (account.type === 'Bot') return true;
  return typeof account.login === 'string' && account.login.toLowerCase().endsWith(BOT_SUFFIX);
}

/** True for `<...>[bot]@users.noreply.github.com` addresses, i.e. commits made as some GitHub App. */
export function isBotEmail(email: string | null | undefined): boolean {
  if (typeof email !== 'string') return false;
  const noreply = parseNoreplyEmail(email);
  return noreply !== null && noreply.login.endsWith(BOT_SUFFIX);
}

/** The class an entry's kind gives its account: agents are `agent`, automation and review bots `automation`. */
export function classOfKind(kind: AgentKind): AuthorClass {
  return kind === 'agent' ? 'agent' : 'automation';
}

/** The result of `identifyAccount`. `kind` tells AI review bots from other automation. */
export interface AccountIdentity {
  class: AuthorClass;
  /** Catalog/custom name, or the bot's login without `[bot]` for bots the catalog does not know. */
  agent: string | null;
  kind: AgentKind;
}

/**
 * Tells whether an account (a reviewer, a commenter, a PR author) is a coding agent or a bot. Returns null for
 * accounts that look human. Agents → `{class: 'agent'}`; automation and AI review bots → `{class: 'automation'}`
 * (with `kind: 'review-bot'` for the latter); unknown bots (`[bot]` login or `type: "Bot"`) → automation named by
 * their login. Pure; matching rules as in `matchAccount`.
 */
export function identifyAccount(account: AccountInput | null | undefined, options: AuthorshipOptions): AccountIdentity | null {
  if (!account) return null;
  const match = matchAccount(account, identityIndex(options));
  if (match) return { class: classOfKind(match.entry.kind), agent: match.entry.name, kind: match.entry.kind };
  if (isBotAccount(account)) {
    const login = typeof account.login === 'string' ? account.login : '';
    const name = login.toLowerCase().endsWith(BOT_SUFFIX) ? login.slice(0, -BOT_SUFFIX.length) : login;
    return { class: 'automation', agent: name === '' ? null : name, kind: 'automation' };
  }
  return null;
}
