/**
 * A local GitHub REST API for the benchmark: canned answers for every call the gate makes, routed by pattern,
 * with an optional fixed latency per response (`latencyMs`) to approximate a real API round trip.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const ROUTES: Array<[string, RegExp, (m: RegExpExecArray) => Answer]> = [
  [
    'POST',
    /^\/app\/installations\/\d+\/access_tokens$/,
    () => ({ status: 201, body: { token: 'ghs_bench', expires_at: '2099-01-01T00:00:00Z', permissions: {} } }),
  ],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/, () => ({ status: 404, body: { message: 'Not Found' } })],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, (m) => ({ status: 200, body: pull(m[1] ?? 'o', m[2] ?? 'r', Number(m[3])) })],
  [
    'GET',
    /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/,
    () => ({
      status: 200,
      body: [
        { filename: 'src/server.ts', status: 'modified', additions: 10, deletions: 2, changes: 12 },
        { filename: '.github/workflows/ci.yml', status: 'modified', additions: 1, deletions: 1, changes: 2 },
      ],
    }),
  ],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/commits$/, (m) => ({ status: 200, body: commits(Number(m[1])) })],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/reviews$/, () => ({ status: 200, body: [] })],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/timeline$/, () => ({ status: 200, body: [] })],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/check-runs$/, () => ({ status: 200, body: { total_count: 0, check_runs: [] } })],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/check-runs$/, () => ({ status: 201, body: { id: 1 } })],
  ['PATCH', /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/, () => ({ status: 200, body: { id: 1 } })],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/requested_reviewers$/, () => ({ status: 201, body: {} })],
  ['GET', /^\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+\/permission$/, () => ({ status: 200, body: { permission: 'write' } })],
  ['GET', /^\/orgs\/[^/]+\/teams\/[^/]+\/members$/, () => ({ status: 200, body: [] })],
  ['GET', /^\/app$/, () => ({ status: 200, body: { slug: 'ai-review' } })],
];

function pull(owner: string, repo: string, number: number): Record<string, unknown> {
  return {
    number,
    state: 'open',
    draft: false,
    title: `Bench PR ${number}`,
    body: null,
    user: { login: 'Copilot', id: 198982749, type: 'Bot' },
    head: { ref: `copilot/bench-${number}`, sha: `${number.toString(16)}`.padEnd(40, 'a') },
    base: { ref: 'main', repo: { full_name: `${owner}/${repo}` } },
    labels: [],
    assignees: [{ login: 'alice', id: 11, type: 'User' }],
    requested_reviewers: [],
    requested_teams: [],
    created_at: '2026-03-02T10:00:00Z',
    updated_at: '2026-03-02T10:00:00Z',
    commits: 1,
    changed_files: 2,
    additions: 11,
    deletions: 3,
  };
}

function commits(number: number): unknown[] {
  const sha = `${number.toString(16)}`.padEnd(40, 'a');
  const identity = { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com', date: '2026-03-02T10:00:00Z' };
  return [
    {
      sha,
      commit: { message: `Bench change ${number}\n\nCo-authored-by: alice <alice@example.com>`, author: identity, committer: identity },
      author: { login: 'Copilot', id: 198982749, type: 'Bot' },
      committer: { login: 'Copilot', id: 198982749, type: 'Bot' },
    },
  ];
}

/** The running mock: its `host:port` and a request counter. */
export interface MockGitHub {
  host: string;
  requests(): number;
  stop(): Promise<void>;
}

/** Starts the mock on 127.0.0.1 (random port). */
export async function startMockGitHub(latencyMs: number): Promise<MockGitHub> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.replace(/^\/api\/v3/, '');
      let answer: Answer = { status: 404, body: { message: 'Not Found' } };
      for (const [method, pattern, handler] of ROUTES) {
        const m = method === req.method ? pattern.exec(path) : null;
        if (m) {
          answer = handler(m);
          break;
        }
      }
      const send = (): void => {
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      };
      if (latencyMs > 0) setTimeout(send, latencyMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
