/**
 * A GitHub for the fact loader's tests: `POST /graphql` is validated with @octokit/graphql-schema's `validate` (GitHub's
 * published github.com schema) and then executed by graphql-js against that same schema, with resolvers reading an
 * in-memory repository; the REST reads the loader may make are answered from the same data. Every request is
 * recorded (query, variables, cost by GitHub's formula), so tests assert exact counts and variables.
 */
import { createHash } from 'node:crypto';
import { schema as githubSchema, validate as validateGithubQuery } from '@octokit/graphql-schema';
import {
  GraphQLError,
  Kind,
  buildClientSchema,
  executeSync,
  getNamedType,
  isInterfaceType,
  isObjectType,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import nock from 'nock';
import type { CodeownersErrorNode } from '../../../src/github/graphql/load.js';

export const API = 'https://api.github.com';
export const SCHEMA = buildClientSchema(githubSchema.json as never);

export interface FakeActor {
  __typename: 'User' | 'Bot' | 'Mannequin' | 'Organization';
  login: string;
  databaseId: number;
}

export const user = (login: string, databaseId: number): FakeActor => ({ __typename: 'User', login, databaseId });
export const bot = (login: string, databaseId: number): FakeActor => ({ __typename: 'Bot', login, databaseId });

export interface FakeFile {
  path: string;
  changeType: 'ADDED' | 'DELETED' | 'MODIFIED' | 'RENAMED' | 'COPIED' | 'CHANGED';
  /** For RENAMED: the REST `previous_filename`. */
  previousPath?: string;
}

export interface FakeCommit {
  oid: string;
  message: string;
  author: { name: string; email: string; user: { login: string; databaseId: number } | null };
  committer?: { name: string; email: string; user: { login: string; databaseId: number } | null };
  date?: string;
  signature?: { isValid: boolean; state: string } | null;
}

export interface FakeReview {
  id: number;
  author: FakeActor | null;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commit: string;
  submittedAt: string;
  canPush?: boolean;
}

export type FakeTimelineItem =
  | { __typename: 'LabeledEvent' | 'UnlabeledEvent'; actor: FakeActor; label: string; createdAt: string }
  | { __typename: 'ReviewRequestedEvent'; actor: FakeActor; reviewer: FakeActor | { __typename: 'Team'; slug: string }; createdAt: string }
  | { __typename: 'IssueComment'; id: number; author: FakeActor; body: string; createdAt: string; updatedAt?: string }
  /** Any other timeline item, with its GraphQL fields as given (e.g. `ClosedEvent`, `HeadRefForcePushedEvent` with `afterCommit`). */
  | { __typename: `${string}Event`; createdAt: string; actor: FakeActor | null; [field: string]: unknown };

export interface FakePullRequest {
  number: number;
  author: FakeActor | null;
  title?: string;
  body?: string;
  isDraft?: boolean;
  state?: 'OPEN' | 'CLOSED' | 'MERGED';
  headRefName?: string;
  headRefOid: string;
  labels?: string[];
  assignees?: FakeActor[];
  reviewRequests?: Array<FakeActor | { __typename: 'Team'; slug: string }>;
  files: FakeFile[];
  /** GitHub's `changedFiles` count; defaults to `files.length` (set it above 3,000 to fake a huge PR cheaply). */
  changedFiles?: number;
  commits: FakeCommit[];
  /** `commits.totalCount`; defaults to `commits.length`. */
  commitCount?: number;
  reviews?: FakeReview[];
  timeline?: FakeTimelineItem[];
  /**
   * Check runs on the head commit, as GraphQL's `Commit.checkSuites { checkRuns }` shows them (one suite per app).
   * Undefined: the head commit answers `checkSuites: null`, so a reader cannot tell (and looks the run up through REST).
   */
  headCheckRuns?: FakeCheckRun[];
  /** Lifecycle dates (default: created 2026-01-01T09:00:00Z, never closed). */
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
  mergedAt?: string | null;
  mergeCommit?: string | null;
  additions?: number;
  deletions?: number;
}

/** A check run on a PR's head commit (GraphQL's upper-case status and conclusion). */
export interface FakeCheckRun {
  id: number;
  appId: number;
  name: string;
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED';
  conclusion: string | null;
  title: string;
  summary: string;
}

export interface FakeRepository {
  owner: string;
  name: string;
  /** Files of the default branch by path. */
  files: Record<string, string>;
  /** Paths GraphQL reports as truncated (`isTruncated: true`, text cut). */
  truncated?: string[];
  pulls: FakePullRequest[];
  codeownersErrors?: CodeownersErrorNode[];
  /** Default: `main`. */
  defaultBranch?: string;
}

/** One recorded request. */
export type RecordedRequest =
  | { api: 'graphql'; operation: string; query: string; variables: Record<string, unknown>; cost: number }
  | { api: 'rest'; method: string; path: string };

class NotFound extends Error {
  readonly type = 'NOT_FOUND';
}

/** GitHub's cursor: opaque; here the base64 of the index of the last node. */
const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
const fromCursor = (c: string | undefined) => (c ? Number(Buffer.from(c, 'base64').toString().slice('cursor:'.length)) + 1 : 0);

/** A connection over `items` as GitHub pages it; rejects a missing or too large `first` like GitHub's node limit. */
function connection<T>(items: readonly T[], args: { first?: number; after?: string }, totalCount = items.length) {
  if (args.first === undefined || args.first < 1 || args.first > 100) throw new GraphQLError('first must be within 1-100');
  const start = fromCursor(args.after);
  const nodes = items.slice(start, start + args.first);
  const end = start + nodes.length - 1;
  return {
    totalCount,
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: cursor(start + i) })),
    pageInfo: {
      hasNextPage: end + 1 < items.length,
      hasPreviousPage: start > 0,
      endCursor: nodes.length ? cursor(end) : null,
      startCursor: cursor(start),
    },
  };
}

/** A query's parsed document and its validation errors against GitHub's schema. */
interface ParsedQuery {
  document: DocumentNode;
  errors: string[];
}

/** Parsed and validated queries by text: the same text always validates alike, and a benchmark sends thousands. */
const PARSED = new Map<string, ParsedQuery>();

/** The query's document and validation errors (GitHub's published schema), parsed and validated once per text. */
function parsedQuery(query: string): ParsedQuery {
  let parsed = PARSED.get(query);
  if (!parsed) {
    const errors = validateGithubQuery(query).map((e) => e.message);
    let document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };
    try {
      document = parse(query);
    } catch {
      // a syntax error: `errors` says so
    }
    parsed = { document, errors };
    if (PARSED.size >= 500) PARSED.clear();
    PARSED.set(query, parsed);
  }
  return parsed;
}

/**
 * `Commit.checkSuites(filterBy: { appId })` over a head commit's runs: one suite per app, its runs filtered by
 * `checkName`, newest first (`checkType: LATEST` keeps the newest per name).
 */
function checkSuitesOf(runs: readonly FakeCheckRun[]) {
  return (args: { first?: number; after?: string; filterBy?: { appId?: number } }) => {
    const apps = [...new Set(runs.map((r) => r.appId))].filter((id) => args.filterBy?.appId === undefined || id === args.filterBy.appId);
    return connection(
      apps.map((appId) => ({
        checkRuns: (a: { first?: number; after?: string; filterBy?: { checkName?: string; checkType?: string } }) => {
          const named = runs
            .filter((r) => r.appId === appId && (a.filterBy?.checkName === undefined || r.name === a.filterBy.checkName))
            .sort((x, y) => y.id - x.id);
          const kept = a.filterBy?.checkType === 'LATEST' ? named.filter((r, i) => named.findIndex((o) => o.name === r.name) === i) : named;
          return connection(
            kept.map((r) => ({ databaseId: r.id, status: r.status, conclusion: r.conclusion, title: r.title, summary: r.summary })),
            a,
          );
        },
      })),
      args,
    );
  };
}

/**
 * GitHub's GraphQL rate-limit score of a query: for every connection (a field with `first`/`last`), the requests it
 * needs are the product of the `first`/`last` of the connections it is nested in (1 at the top level); the sum is
 * divided by 100 and rounded, at least 1 (GitHub Docs, "Rate limits and node limits for the GraphQL API").
 */
export function graphqlCost(query: string, variables: Record<string, unknown> = {}): { requests: number; cost: number } {
  const doc = parsedQuery(query).document;
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const value = (node: ValueNode): number | null => {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return typeof variables[node.name.value] === 'number' ? (variables[node.name.value] as number) : null;
    return null;
  };
  let requests = 0;
  const walk = (set: SelectionSetNode, type: GraphQLNamedType, multiplier: number): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, selection.typeCondition ? SCHEMA.getType(selection.typeCondition.name.value)! : type, multiplier);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value)!;
        walk(fragment.selectionSet, SCHEMA.getType(fragment.typeCondition.name.value)!, multiplier);
      } else if (selection.selectionSet && (isObjectType(type) || isInterfaceType(type))) {
        const field = type.getFields()[selection.name.value]!;
        const limit = selection.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
        const n = limit ? value(limit.value) : null;
        if (n !== null) requests += multiplier;
        walk(selection.selectionSet, getNamedType(field.type), n !== null ? multiplier * n : multiplier);
      }
    }
  };
  walk(operation.selectionSet, SCHEMA.getQueryType()!, 1);
  return { requests, cost: Math.max(1, Math.round(requests / 100)) };
}

const blobOid = (text: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest('hex');

/** The name of a query's operation (`PullRequestFacts`), or '' for an anonymous one. */
export function operationName(query: string): string {
  const definition = parsedQuery(query).document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return definition?.name?.value ?? '';
}

/**
 * What a GraphQL request is answered with: the HTTP status (200, as GitHub answers even with `errors`), the JSON body,
 * and GitHub's rate-limit headers for the GraphQL budget (`x-ratelimit-resource: graphql`, points remaining).
 */
export interface GraphqlAnswer {
  status: 200;
  body: { data: unknown; errors?: Array<Record<string, unknown>> };
  headers: Record<string, string>;
}

/** A REST answer: HTTP status, JSON (or raw text) body, headers. */
export type RestAnswer = [number, unknown, Record<string, string>];

/**
 * An in-memory GitHub without a transport: repositories (default-branch files, pull requests), organizations (teams),
 * and the two ways to read them the fact loader uses: {@link InMemoryGitHub.execute} (a GraphQL request, validated
 * against GitHub's published schema, then executed) and {@link InMemoryGitHub.answerRest} (the REST reads of renamed
 * files' pages and of raw contents). Every request is recorded. Mounted on nock by {@link FakeGitHub}, and on the HTTP
 * fakes of the end-to-end and pipeline tests.
 */
export class InMemoryGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Queries that failed validation against GitHub's schema (must stay empty). */
  readonly invalid: Array<{ query: string; errors: string[] }> = [];
  readonly repositories: FakeRepository[] = [];
  readonly organizations: Record<string, Record<string, string[]>> = {};
  private remaining = 5000;
  /**
   * When set and it returns an error for a query (by operation name and variables), the query is answered with that
   * error and no data, as GitHub answers a FORBIDDEN or NOT_FOUND query. For interrupting a run in tests.
   */
  failWhen: ((operation: string, variables: Record<string, unknown>) => { type: string; message: string } | null) | null = null;

  /** `restPrefix`: the path prefix of REST routes (`/api/v3` on GitHub Enterprise Server), stripped before matching. */
  constructor(protected readonly restPrefix = '') {}

  graphqlRequests(): Array<Extract<RecordedRequest, { api: 'graphql' }>> {
    return this.requests.filter((r): r is Extract<RecordedRequest, { api: 'graphql' }> => r.api === 'graphql');
  }

  restRequests(): Array<Extract<RecordedRequest, { api: 'rest' }>> {
    return this.requests.filter((r): r is Extract<RecordedRequest, { api: 'rest' }> => r.api === 'rest');
  }

  /** The repository `owner/name` (case-insensitive), if present. */
  repository(owner: string, name: string): FakeRepository | undefined {
    return this.repositories.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * Answers one GraphQL request (`POST /graphql`) as GitHub does: a query that fails validation against GitHub's
   * schema gets `errors` only (and is kept in `invalid`); otherwise the query is executed against the in-memory data,
   * with `NOT_FOUND` errors (and null data at their path) for a missing repository, pull request or organization.
   */
  execute(query: string, variables: Record<string, unknown> = {}): GraphqlAnswer {
    const { document, errors } = parsedQuery(query);
    if (errors.length > 0) {
      this.invalid.push({ query, errors });
      return { status: 200, body: { data: null, errors: errors.map((message) => ({ message })) }, headers: this.rateLimitHeaders() };
    }
    const { cost } = graphqlCost(query, variables);
    this.remaining -= cost;
    const operation = operationName(query);
    this.requests.push({ api: 'graphql', operation, query, variables, cost });
    const failure = this.failWhen?.(operation, variables);
    if (failure) return { status: 200, body: { data: null, errors: [{ ...failure, path: [] }] }, headers: this.rateLimitHeaders() };
    // Validated above (GitHub's schema): executed without validating again.
    const result = executeSync({ schema: SCHEMA, document, variableValues: variables, rootValue: this.root(cost) });
    const body: GraphqlAnswer['body'] = { data: result.data ?? null };
    if (result.errors?.length) {
      body.errors = result.errors.map((e) => ({
        ...(e.originalError instanceof NotFound ? { type: 'NOT_FOUND' } : {}),
        message: e.message,
        path: e.path,
        locations: e.locations,
      }));
    }
    return { status: 200, body, headers: this.rateLimitHeaders() };
  }

  private rateLimitHeaders(): Record<string, string> {
    return {
      'x-ratelimit-resource': 'graphql',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(5000 - this.remaining),
      'x-ratelimit-reset': String(Date.parse('2030-01-01T00:00:00Z') / 1000),
    };
  }

  /**
   * Answers the REST reads the loader makes (`uri`: path and query string, with the REST prefix): "List pull requests
   * files" and raw "Get repository content". Null for any other route (not recorded).
   */
  answerRest(method: string, uri: string): RestAnswer | null {
    if (method !== 'GET') return null;
    const path = this.restPath(uri);
    if (/^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/.test(path)) return this.restFiles(uri);
    if (/^\/repos\/[^/]+\/[^/]+\/contents\//.test(path)) return this.restContents(uri);
    return null;
  }

  /** A request path without the REST prefix and the query string. */
  protected restPath(uri: string): string {
    const path = new URL(uri, API).pathname;
    return path.startsWith(this.restPrefix) ? path.slice(this.restPrefix.length) : path;
  }

  private root(cost: number) {
    return {
      rateLimit: () => ({
        cost,
        remaining: this.remaining,
        resetAt: '2030-01-01T00:00:00Z',
        limit: 5000,
        used: 5000 - this.remaining,
        nodeCount: 0,
      }),
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = this.repository(owner, name);
        if (!repo) throw new NotFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
        return this.repositoryObject(repo);
      },
      organization: ({ login }: { login: string }) => {
        const teams = Object.entries(this.organizations).find(([org]) => org.toLowerCase() === login.toLowerCase())?.[1];
        if (!teams) throw new NotFound(`Could not resolve to an Organization with the login of '${login}'.`);
        return {
          login,
          team: ({ slug }: { slug: string }) => {
            const members = teams[slug];
            if (!members) return null;
            return {
              slug,
              members: (args: { first?: number; after?: string }) =>
                connection(
                  members.map((m) => ({ login: m })),
                  args,
                ),
            };
          },
        };
      },
    };
  }

  private repositoryObject(repo: FakeRepository) {
    return {
      object: ({ expression }: { expression: string }) => {
        const path = expression.replace(/^HEAD:/, '');
        const text = repo.files[path];
        if (text === undefined) return null;
        const truncated = repo.truncated?.includes(path) ?? false;
        return {
          __typename: 'Blob',
          oid: blobOid(text),
          text: truncated ? text.slice(0, 10) : text,
          isTruncated: truncated,
          isBinary: false,
          byteSize: text.length,
        };
      },
      codeowners: () => ({ errors: repo.codeownersErrors ?? [] }),
      defaultBranchRef: () => ({ name: repo.defaultBranch ?? 'main' }),
      pullRequests: (args: { first?: number; after?: string; orderBy?: { field: string; direction: string } }) => {
        const field = args.orderBy?.field === 'UPDATED_AT' ? 'updatedAt' : 'createdAt';
        const sign = args.orderBy?.direction === 'DESC' ? -1 : 1;
        const objects = repo.pulls.map((p) => pullRequestObject(repo, p));
        objects.sort((a, b) => sign * (Date.parse(a[field]) - Date.parse(b[field]) || a.number - b.number));
        return connection(objects, args);
      },
      pullRequest: ({ number }: { number: number }) => {
        const pr = repo.pulls.find((p) => p.number === number);
        if (!pr) throw new NotFound(`Could not resolve to a PullRequest with the number of ${number}.`);
        return pullRequestObject(repo, pr);
      },
    };
  }

  private restFiles(uri: string): RestAnswer {
    const url = new URL(uri, API);
    this.requests.push({ api: 'rest', method: 'GET', path: `${url.pathname}${url.search}` });
    const [, owner, name, number] = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files/.exec(this.restPath(uri))!;
    const pr = this.repository(owner!, name!)?.pulls.find((p) => p.number === Number(number));
    if (!pr) return [404, { message: 'Not Found' }, {}];
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const items = pr.files.slice((page - 1) * perPage, page * perPage).map((f) => ({
      filename: f.path,
      status: f.changeType === 'DELETED' ? 'removed' : f.changeType.toLowerCase(),
      ...(f.previousPath ? { previous_filename: f.previousPath } : {}),
    }));
    return [200, items, {}];
  }

  private restContents(uri: string): RestAnswer {
    const url = new URL(uri, API);
    this.requests.push({ api: 'rest', method: 'GET', path: decodeURIComponent(url.pathname) });
    const [, owner, name, path] = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(decodeURIComponent(this.restPath(uri)))!;
    const text = this.repository(owner!, name!)?.files[path!];
    if (text === undefined) return [404, { message: 'Not Found' }, {}];
    return [200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8', 'x-ratelimit-remaining': '4999' }];
  }
}

/** The in-memory GitHub mounted on nock at `origin` (api.github.com, or a GitHub Enterprise Server origin). */
export class FakeGitHub extends InMemoryGitHub {
  /**
   * `origin` and the paths of GitHub Enterprise Server when `enterprise` is set: GraphQL at `/api/graphql`, REST under
   * `/api/v3` (as @octokit/graphql and @octokit/request address a `baseUrl` ending in `/api/v3`).
   */
  constructor(options: { origin?: string; enterprise?: boolean } = {}) {
    super(options.enterprise ? '/api/v3' : '');
    const origin = options.origin ?? API;
    const graphqlPath = options.enterprise ? '/api/graphql' : '/graphql';
    nock.disableNetConnect();
    nock(origin)
      .post(graphqlPath)
      .reply((_uri, body) => {
        const { query, variables } = body as { query: string; variables?: Record<string, unknown> };
        const answer = this.execute(query, variables ?? {});
        return [answer.status, answer.body, answer.headers];
      })
      .persist();
    nock(origin)
      .get((uri) => /^\/repos\/[^/]+\/[^/]+\/(pulls\/\d+\/files|contents\/)/.test(this.restPath(uri)))
      .query(true)
      .reply((uri) => this.answerRest('GET', uri) as nock.ReplyFnResult)
      .persist();
  }

  static cleanup(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

function pullRequestObject(repo: FakeRepository, pr: FakePullRequest) {
  const actor = (a: FakeActor | null | undefined) => a ?? null;
  const gitActor = (a: FakeCommit['author'], date: string) => ({ ...a, date, avatarUrl: '' });
  return {
    number: pr.number,
    state: pr.state ?? 'OPEN',
    isDraft: pr.isDraft ?? false,
    title: pr.title ?? 'A change',
    body: pr.body ?? '',
    url: `https://github.com/${repo.owner}/${repo.name}/pull/${pr.number}`,
    createdAt: pr.createdAt ?? '2026-01-01T09:00:00Z',
    updatedAt: pr.updatedAt ?? pr.mergedAt ?? pr.closedAt ?? pr.createdAt ?? '2026-01-01T09:00:00Z',
    closedAt: pr.closedAt ?? pr.mergedAt ?? null,
    mergedAt: pr.mergedAt ?? null,
    mergeCommit: pr.mergeCommit ? { oid: pr.mergeCommit } : null,
    changedFiles: pr.changedFiles ?? pr.files.length,
    additions: pr.additions ?? 10,
    deletions: pr.deletions ?? 2,
    headRefName: pr.headRefName ?? 'feature',
    headRefOid: pr.headRefOid,
    baseRefName: 'main',
    baseRefOid: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0',
    author: actor(pr.author),
    labels: (args: { first?: number; after?: string }) =>
      connection(
        (pr.labels ?? []).map((name) => ({ name })),
        args,
      ),
    assignees: (args: { first?: number; after?: string }) => connection(pr.assignees ?? [], args),
    reviewRequests: (args: { first?: number; after?: string }) =>
      connection(
        (pr.reviewRequests ?? []).map((r) => ({ requestedReviewer: r })),
        args,
      ),
    files: (args: { first?: number; after?: string }) =>
      connection(
        pr.files.map((f) => ({ path: f.path, changeType: f.changeType })),
        args,
      ),
    commits: (args: { first?: number; after?: string; last?: number }) =>
      connection(
        // `last: n`: the n newest commits (GitHub's backward paging, without cursors here).
        pr.commits.slice(args.last ? -args.last : 0).map((c) => {
          const date = c.date ?? '2026-01-01T10:00:00Z';
          return {
            commit: {
              checkSuites: c.oid === pr.headRefOid && pr.headCheckRuns ? checkSuitesOf(pr.headCheckRuns) : null,
              oid: c.oid,
              message: c.message,
              authoredDate: date,
              committedDate: date,
              author: gitActor(c.author, date),
              committer: gitActor(c.committer ?? c.author, date),
              signature: c.signature === undefined || c.signature === null ? null : { __typename: 'GpgSignature', ...c.signature },
            },
          };
        }),
        args.last ? { first: args.last } : args,
        pr.commitCount ?? pr.commits.length,
      ),
    reviews: (args: { first?: number; after?: string }) =>
      connection(
        (pr.reviews ?? []).map((r) => ({
          fullDatabaseId: String(r.id),
          state: r.state,
          submittedAt: r.submittedAt,
          commit: { oid: r.commit },
          author: r.author,
          authorCanPushToRepository: r.canPush ?? false,
        })),
        args,
      ),
    timelineItems: (args: { first?: number; after?: string; itemTypes?: string[] }) => {
      const wanted = new Set(args.itemTypes ?? []);
      // GitHub's item type of a typename: `ReviewRequestedEvent` → `REVIEW_REQUESTED_EVENT`.
      const typeOf = (typename: string) => typename.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      const items = (pr.timeline ?? [])
        .filter((t) => wanted.size === 0 || wanted.has(typeOf(t.__typename)))
        .map((t) => {
          if (t.__typename === 'IssueComment')
            return {
              __typename: t.__typename,
              fullDatabaseId: String(t.id),
              body: t.body,
              createdAt: t.createdAt,
              updatedAt: t.updatedAt ?? t.createdAt,
              author: t.author,
            };
          if (t.__typename === 'ReviewRequestedEvent' && 'reviewer' in t)
            return { __typename: t.__typename, createdAt: t.createdAt, actor: t.actor, requestedReviewer: t.reviewer };
          if ((t.__typename === 'LabeledEvent' || t.__typename === 'UnlabeledEvent') && 'label' in t)
            return { __typename: t.__typename, createdAt: t.createdAt, actor: t.actor, label: { name: t.label } };
          return t;
        });
      return connection(items, args);
    },
  };
}
