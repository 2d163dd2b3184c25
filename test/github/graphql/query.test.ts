/**
 * Every query shape the loader can send is valid against GitHub's published schema, and costs what GitHub's formula
 * says: 1 point while a query has fewer than 150 connections (none nested).
 */
import { validate } from '@octokit/graphql-schema';
import { buildQuery, type PullRequestConnection, type QueryParts, type TimelineItemType } from '../../../src/github/graphql/query.js';
import { graphqlCost } from './fake-github.js';

const REF = { owner: 'acme', repo: 'widgets' };
const ALL: PullRequestConnection[] = ['labels', 'assignees', 'reviewRequests', 'files', 'commits', 'reviews', 'timeline'];
const TYPES: TimelineItemType[] = ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT', 'ISSUE_COMMENT'];

const parts = (overrides: Partial<QueryParts> = {}): QueryParts => ({
  pullRequestFields: true,
  configFiles: true,
  codeowners: true,
  connections: ALL.map((key) => ({ key })),
  teams: [],
  writeAccess: true,
  timelineTypes: TYPES,
  ...overrides,
});

describe('query shapes', () => {
  it('every combination of parts is valid against the schema', () => {
    let checked = 0;
    for (const pullRequestFields of [true, false])
      for (const configFiles of [true, false])
        for (const codeowners of [true, false])
          for (const writeAccess of [true, false])
            for (const teams of [0, 1, 3])
              for (const connections of [ALL, ['files'] as PullRequestConnection[], ['timeline'] as PullRequestConnection[], []]) {
                const built = buildQuery('Q', REF, 7, {
                  pullRequestFields,
                  configFiles,
                  codeowners,
                  writeAccess,
                  timelineTypes: TYPES,
                  connections: connections.map((key, i) => (i % 2 ? { key, after: 'Y3Vyc29yOjk5' } : { key })),
                  teams: Array.from({ length: teams }, (_, i) => ({
                    team: `@org${i % 2}/team${i}`,
                    ...(i === 1 ? { after: 'Y3Vyc29yOjk5' } : {}),
                  })),
                });
                expect(validate(built.query).map((e) => e.message)).toEqual([]);
                checked++;
              }
    expect(checked).toBe(192);
  });

  it('declares exactly the variables it sends', () => {
    const built = buildQuery(
      'Q',
      REF,
      7,
      parts({ teams: [{ team: '@acme/security' }, { team: '@acme/web', after: 'c' }, { team: '@other/x' }] }),
    );
    expect(built.variables).toEqual({
      owner: 'acme',
      name: 'widgets',
      number: 7,
      timelineTypes: TYPES,
      o0: 'acme',
      o0t0: 'security',
      o0t1: 'web',
      o0t1After: 'c',
      o1: 'other',
      o1t0: 'x',
    });
    const declared = [...built.query.split('\n')[0]!.matchAll(/\$(\w+): /g)].map((m) => m[1]).sort();
    expect(declared).toEqual(Object.keys(built.variables).sort());
    expect([...built.teamAliases]).toEqual([
      ['@acme/security', ['o0', 'o0t0']],
      ['@acme/web', ['o0', 'o0t1']],
      ['@other/x', ['o1', 'o1t0']],
    ]);
  });

  it('asks for push access only when the plan needs write access', () => {
    expect(buildQuery('Q', REF, 7, parts({ writeAccess: false })).query).not.toContain('authorCanPushToRepository');
    expect(buildQuery('Q', REF, 7, parts()).query).toContain('authorCanPushToRepository');
  });
});

describe('cost by GitHub’s formula', () => {
  it('the full query: 7 pull-request connections and 1 per team, none nested: 1 point up to 142 teams', () => {
    const teams = (n: number) => Array.from({ length: n }, (_, i) => ({ team: `@acme/t${i}` }));
    const cost = (n: number) => {
      const built = buildQuery('Q', REF, 7, parts({ teams: teams(n) }));
      return graphqlCost(built.query, built.variables);
    };
    expect(cost(0)).toEqual({ requests: 7, cost: 1 });
    expect(cost(3)).toEqual({ requests: 10, cost: 1 });
    expect(cost(142)).toEqual({ requests: 149, cost: 1 });
    expect(cost(143)).toEqual({ requests: 150, cost: 2 });
  });

  it('a page query costs 1 point', () => {
    const built = buildQuery(
      'P',
      REF,
      7,
      parts({ pullRequestFields: false, configFiles: false, codeowners: false, connections: [{ key: 'files', after: 'c' }] }),
    );
    expect(graphqlCost(built.query, built.variables)).toEqual({ requests: 1, cost: 1 });
  });

  it('matches GitHub’s documented example (repositories 50 → pull requests 20 → comments 10: 1,051 requests, 11 points)', () => {
    const query = `query { viewer { repositories(first: 50) { edges { repository: node { name pullRequests(first: 20) { edges { pullRequest: node { title comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } } } } }`;
    expect(graphqlCost(query)).toEqual({ requests: 1051, cost: 11 });
  });
});
