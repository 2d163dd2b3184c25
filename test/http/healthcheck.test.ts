/** The container health check: the /ping URL follows HOST and PORT, and the exit code follows the answer. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { check, connectHost, pingUrl } from '../../src/http/healthcheck.js';

describe('pingUrl', () => {
  it.each([
    [{}, 'http://localhost:3000/ping'],
    [{ HOST: '0.0.0.0', PORT: '3000' }, 'http://127.0.0.1:3000/ping'],
    [{ HOST: '::', PORT: '8080' }, 'http://[::1]:8080/ping'],
    [{ HOST: '10.1.2.3', PORT: '9000' }, 'http://10.1.2.3:9000/ping'],
    [{ HOST: 'fd00::5', PORT: '9000' }, 'http://[fd00::5]:9000/ping'],
    [{ HOST: 'ai-review.internal' }, 'http://ai-review.internal:3000/ping'],
  ])('%j → %s', (env, url) => {
    expect(pingUrl(env as NodeJS.ProcessEnv)).toBe(url);
  });

  it('connectHost keeps a bracketed IPv6 address', () => {
    expect(connectHost('[::1]')).toBe('[::1]');
  });
});

describe('check', () => {
  it('0 for 200, 1 for another status, 1 when nothing listens or nothing answers in time', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/ping') res.writeHead(200).end('PONG');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000).unref();
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await check(`http://127.0.0.1:${port}/ping`)).toBe(0);
      expect(await check(`http://127.0.0.1:${port}/other`)).toBe(1);
      expect(await check(`http://127.0.0.1:${port}/slow`, 200)).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await check(`http://127.0.0.1:${port}/ping`)).toBe(1);
  });
});
