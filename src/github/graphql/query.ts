/**
 * The GraphQL documents of the fact loader, built from a plan: one query for everything an evaluation needs, and
 * follow-up queries that read the next page of just the connections that had more than 100 nodes.
 *
 * Cost (GitHub Docs, "Rate limits and node limits for the GraphQL API": add up the requests each connection needs,
 * assuming every `first` is reached, divide by 100, round to the nearest whole number, at least 1): every connection
 * here hangs off a single object (the pull request, a team), none is nested in another, so each needs 1 request and
 * a query costs 1 point as long as it has fewer than 150 connections (7 of the pull request plus 1 per team).
 *
 * Fields: only ones the GitHub Enterprise Server 3.17 schema has (github/docs, src/graphql/data/ghes-3.17), and none
 * that github.com marks deprecated (`fullDatabaseId`, not `databaseId`, on reviews and comments).
 */
import { CONFIG_PATH } from '../../config/load.js';
import { CODEOWNERS_LOCATIONS } from '../../codeowners/index.js';
import { CHECK_NAME } from '../../gate/summary.js';

/** GitHub's largest page. */
export const PAGE_SIZE = 100;

/** The connections of a pull request the loader reads, by key. */
export type PullRequestConnection = 'labels' | 'assignees' | 'reviewRequests' | 'files' | 'commits' | 'reviews' | 'timeline';

/** Timeline item types (`PullRequestTimelineItemsItemType`) the loader may ask for. */
export type TimelineItemType = 'LABELED_EVENT' | 'UNLABELED_EVENT' | 'REVIEW_REQUESTED_EVENT' | 'ISSUE_COMMENT';

/** Reusable selections. Each query carries only the fragments it uses (GraphQL rejects unused ones). */
const FRAGMENTS: Record<string, string> = {
  Account: `fragment Account on Actor { __typename login ... on User { databaseId } ... on Bot { databaseId } ... on Mannequin { databaseId } ... on Organization { databaseId } }`,
  Reviewer: `fragment Reviewer on RequestedReviewer { __typename ... on User { login databaseId } ... on Bot { login databaseId } ... on Mannequin { login databaseId } ... on Team { slug } }`,
  GitIdentity: `fragment GitIdentity on GitActor { name email user { login databaseId } }`,
  CommitFields: `fragment CommitFields on Commit { oid message authoredDate committedDate author { ...GitIdentity } committer { ...GitIdentity } signature { isValid state } }`,
  FileText: `fragment FileText on GitObject { __typename ... on Blob { oid text isTruncated isBinary } }`,
  LabelEvent: `fragment LabelEvent on LabeledEvent { createdAt actor { ...Account } label { name } }`,
  UnlabelEvent: `fragment UnlabelEvent on UnlabeledEvent { createdAt actor { ...Account } label { name } }`,
  TimelineItem: `fragment TimelineItem on PullRequestTimelineItems { __typename ...LabelEvent ...UnlabelEvent ... on ReviewRequestedEvent { createdAt actor { ...Account } requestedReviewer { ...Reviewer } } ... on IssueComment { fullDatabaseId body createdAt updatedAt author { ...Account } } }`,
};

/** Field, extra arguments and node selection of each pull-request connection. */
function connectionParts(key: PullRequestConnection, writeAccess: boolean): { field: string; args: string; nodes: string; extra: string } {
  switch (key) {
    case 'labels':
      return { field: 'labels', args: '', nodes: 'name', extra: '' };
    case 'assignees':
      return { field: 'assignees', args: '', nodes: '__typename login databaseId', extra: '' };
    case 'reviewRequests':
      return { field: 'reviewRequests', args: '', nodes: 'requestedReviewer { ...Reviewer }', extra: '' };
    case 'files':
      return { field: 'files', args: '', nodes: 'path changeType', extra: '' };
    case 'commits':
      return { field: 'commits', args: '', nodes: 'commit { ...CommitFields }', extra: 'totalCount ' };
    case 'reviews':
      return {
        field: 'reviews',
        args: '',
        nodes: `fullDatabaseId state submittedAt commit { oid } author { ...Account }${writeAccess ? ' authorCanPushToRepository' : ''}`,
        extra: '',
      };
    case 'timeline':
      return { field: 'timelineItems', args: ', itemTypes: $timelineTypes', nodes: '...TimelineItem', extra: '' };
  }
}

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/** The alias of the `after` cursor variable of a connection. */
const afterVariable = (key: string): string => `${key}After`;

/** A team to read, with its aliases in the query. */
export interface TeamRequest {
  /** `@org/slug`, lower case. */
  team: string;
  /** Cursor of the page to read; omitted: the first page. */
  after?: string;
}

/** What one query reads. */
export interface QueryParts {
  /** The pull request's own fields (number, state, author, refs, counts…). */
  pullRequestFields: boolean;
  /** `.github/ai-review.yml` of the repository and of the owner's `.github` repository. */
  configFiles: boolean;
  /** The CODEOWNERS candidates and GitHub's CODEOWNERS errors. */
  codeowners: boolean;
  /** Pull-request connections to read, each from its first page or from `after`. */
  connections: Array<{ key: PullRequestConnection; after?: string }>;
  teams: TeamRequest[];
  /** Whether reviews carry `authorCanPushToRepository`. */
  writeAccess: boolean;
  /** Item types of the `timeline` connection (required when it is read). */
  timelineTypes?: TimelineItemType[];
  /**
   * This app's id: with the pull request's fields, also read the app's latest `ai-review` check run on the head
   * commit, so a first write on a head SHA needs no REST lookup (src/github/check-run.ts).
   */
  checkRunOfApp?: number;
}

/**
 * The app's latest `ai-review` check run on the PR's last commit (its head): `commits(last: 1)`, the app's check
 * suite, the run by name (`checkType: LATEST`). Three nested single-node connections: 3 requests in GitHub's cost
 * formula. `appId` is the app's own id (a number, not PR content). Every type, field, argument and enum value used was
 * checked against GitHub Enterprise Server 3.17's schema (github/docs src/graphql/data/ghes-3.17/
 * schema.docs-enterprise.graphql at 85411a0, 2026-12-01).
 */
export function headCheckRunSelection(appId: number): string {
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new Error(`invalid app id ${appId}`);
  return (
    `headCheckRun: commits(last: 1) { nodes { commit { oid checkSuites(first: 1, filterBy: { appId: ${appId} }) { nodes { ` +
    `checkRuns(first: 1, filterBy: { checkName: ${JSON.stringify(CHECK_NAME)}, checkType: LATEST }) { nodes { databaseId status conclusion title summary } } } } } } }`
  );
}

/** A query ready to send, and how to find each team in its response. */
export interface BuiltQuery {
  query: string;
  variables: Record<string, unknown>;
  /** `@org/slug` → [organization alias, team alias] in the response. */
  teamAliases: Map<string, [string, string]>;
}

/** Names of the fragments a text spreads, with those the fragments themselves spread (from `fragments`). */
function fragmentsUsed(text: string, fragments: Record<string, string> = FRAGMENTS): string[] {
  const used = new Set<string>();
  const visit = (t: string) => {
    for (const m of t.matchAll(/\.\.\.([A-Z]\w*)/g)) {
      const name = m[1]!;
      if (used.has(name)) continue;
      used.add(name);
      visit(fragments[name]!);
    }
  };
  visit(text);
  return [...used].sort();
}

/**
 * A query document: `body` followed by the definitions of the fragments it spreads, the loader's own and `extra` ones
 * (GraphQL rejects unused fragments, so each document carries exactly those it uses).
 */
export function withFragments(body: string, extra: Record<string, string> = {}): string {
  const all = { ...FRAGMENTS, ...extra };
  return [body, ...fragmentsUsed(body, all).map((name) => all[name]!)].join('\n');
}

const fileObject = (alias: string, path: string) => `${alias}: object(expression: ${JSON.stringify(`HEAD:${path}`)}) { ...FileText }`;

/**
 * Builds one query. Variables: `owner`, `name`, `number` (when the repository is read), `timelineTypes`, one cursor
 * per paged connection (`filesAfter`…), and per team its organization (`o0`) and slug (`o0t0`, cursor `o0t0After`).
 * Every query asks for `rateLimit { cost remaining resetAt }`.
 */
export function buildQuery(operation: string, ref: { owner: string; repo: string }, pullNumber: number, parts: QueryParts): BuiltQuery {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const declare = (name: string, type: string, value: unknown) => {
    declarations.push(`$${name}: ${type}`);
    variables[name] = value;
  };
  const selections: string[] = [];
  const readsRepository = parts.pullRequestFields || parts.configFiles || parts.codeowners || parts.connections.length > 0;
  if (readsRepository) {
    declare('owner', 'String!', ref.owner);
    declare('name', 'String!', ref.repo);
    const repository: string[] = [];
    if (parts.configFiles) repository.push(fileObject('config', CONFIG_PATH));
    if (parts.codeowners) {
      CODEOWNERS_LOCATIONS.forEach((path, i) => repository.push(fileObject(`codeowners${i}`, path)));
      repository.push('codeownersErrors: codeowners { errors { line column kind message suggestion path source } }');
    }
    if (parts.pullRequestFields || parts.connections.length > 0) {
      declare('number', 'Int!', pullNumber);
      const pr: string[] = [];
      if (parts.pullRequestFields) {
        pr.push(
          'number state isDraft title body url createdAt changedFiles additions deletions headRefName headRefOid baseRefName baseRefOid author { ...Account }',
        );
        if (parts.checkRunOfApp !== undefined) pr.push(headCheckRunSelection(parts.checkRunOfApp));
      }
      for (const { key, after } of parts.connections) {
        const { field, args, nodes, extra } = connectionParts(key, parts.writeAccess);
        if (after !== undefined) declare(afterVariable(key), 'String!', after);
        if (key === 'timeline') declare('timelineTypes', '[PullRequestTimelineItemsItemType!]!', parts.timelineTypes ?? []);
        const cursor = after !== undefined ? `, after: $${afterVariable(key)}` : '';
        pr.push(`${key}: ${field}(first: ${PAGE_SIZE}${cursor}${args}) { ${extra}${PAGE_INFO} nodes { ${nodes} } }`);
      }
      repository.push(`pullRequest(number: $number) { ${pr.join(' ')} }`);
    }
    selections.push(`repository(owner: $owner, name: $name) { ${repository.join(' ')} }`);
    if (parts.configFiles)
      selections.push(`organizationConfig: repository(owner: $owner, name: ".github") { ${fileObject('config', CONFIG_PATH)} }`);
  }
  const teamAliases = new Map<string, [string, string]>();
  const byOrg = new Map<string, TeamRequest[]>();
  for (const request of parts.teams) {
    const org = request.team.replace(/^@/, '').split('/')[0]!;
    byOrg.set(org, [...(byOrg.get(org) ?? []), request]);
  }
  [...byOrg].forEach(([org, requests], i) => {
    const orgAlias = `o${i}`;
    declare(orgAlias, 'String!', org);
    const teams = requests.map((request, j) => {
      const teamAlias = `${orgAlias}t${j}`;
      declare(teamAlias, 'String!', request.team.split('/')[1]);
      teamAliases.set(request.team, [orgAlias, teamAlias]);
      if (request.after !== undefined) declare(afterVariable(teamAlias), 'String!', request.after);
      const cursor = request.after !== undefined ? `, after: $${afterVariable(teamAlias)}` : '';
      return `${teamAlias}: team(slug: $${teamAlias}) { members(first: ${PAGE_SIZE}${cursor}) { ${PAGE_INFO} nodes { login } } }`;
    });
    selections.push(`${orgAlias}: organization(login: $${orgAlias}) { ${teams.join(' ')} }`);
  });
  selections.push('rateLimit { cost remaining resetAt }');
  const body = `query ${operation}${declarations.length > 0 ? `(${declarations.join(', ')})` : ''} { ${selections.join(' ')} }`;
  return { query: withFragments(body), variables, teamAliases };
}
