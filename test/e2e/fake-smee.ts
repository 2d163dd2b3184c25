/**
 * A smee.io stand-in on 127.0.0.1: `HEAD /new` answers with a new channel's URL (as smee.io does), and
 * `GET /<channel>` is the channel's event stream, on which {@link FakeSmee.send} publishes a delivery the way smee.io
 * does (headers and the parsed body in one JSON message).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeSmee {
  private server: Server | null = null;
  private readonly listeners: ServerResponse[] = [];
  base = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method === 'HEAD' && req.url === '/new') {
        res.writeHead(307, { location: `${this.base}/channel-e2e` }).end();
      } else if (req.method === 'GET' && req.url === '/channel-e2e') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': ready\n\n');
        this.listeners.push(res);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  /** How many clients listen on the channel. */
  get connected(): number {
    return this.listeners.length;
  }

  /** Publishes a delivery: `headers` (lower-case names) and the JSON `body`. */
  send(headers: Record<string, string>, body: unknown): void {
    const message = JSON.stringify({ ...headers, body, query: {}, timestamp: Date.now() });
    for (const res of this.listeners) res.write(`data: ${message}\n\n`);
  }

  async stop(): Promise<void> {
    for (const res of this.listeners) res.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
