/**
 * The container health check: `node dist/src/http/healthcheck.js` asks the server on this machine for `GET /ping`
 * at the address it listens on (HOST and PORT, as `npm start` reads them) and exits 0 when it answers 200, 1
 * otherwise (also after `timeoutMs`, default 4000 ms).
 */
import { pathToFileURL } from 'node:url';

/** The address to reach a server bound to `host` from this machine: `0.0.0.0`/`::` (any) mean the loopback. */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The URL of `/ping` for the environment's HOST (default `localhost`) and PORT (default 3000). */
export function pingUrl(env: NodeJS.ProcessEnv): string {
  return `http://${connectHost(env.HOST || 'localhost')}:${env.PORT || 3000}/ping`;
}

/** Resolves to 0 when `GET url` answers 200 within `timeoutMs`, else 1. */
export async function check(url: string, timeoutMs = 4000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await check(pingUrl(process.env));
