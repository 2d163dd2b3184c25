/** HTTP helpers for end-to-end tests: signing deliveries, and a raw POST that can lie about or stream its body. */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';

/** `X-Hub-Signature-256` of `body` with `secret`. */
export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs to `url` with `headers`, writing `chunks` one after the other (backpressure respected) and stopping when the
 * server answers or closes. Resolves to the status and body of the answer, the bytes written, and how long it took (ms).
 */
export function rawPost(
  url: string,
  headers: Record<string, string>,
  chunks: Iterable<Buffer>,
): Promise<{ status: number; body: string; written: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), written, ms: performance.now() - started }),
      );
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      while (!answered && !req.destroyed) {
        const next = iterator.next();
        if (next.done) return void req.end();
        written += next.value.length;
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** `count` chunks of `size` bytes of `x`. */
export function* filler(count: number, size = 1024 * 1024): Generator<Buffer> {
  const chunk = Buffer.alloc(size, 'x');
  for (let i = 0; i < count; i++) yield chunk;
}
