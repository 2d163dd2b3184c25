/** HTTP helpers for end-to-end tests: signing deliveries, and a raw POST that can lie about or stream its body. */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';

/** `X-Hub-Signature-256` of `body` with `secret`. */
export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs to `url` with `headers`, writing `chunks` one after the other (backpressure respected) until the server answers
 * or closes; with `expect: 100-continue` only after the server asked for the body. Resolves to the status and body of
 * the answer, and the bytes written when the answer arrived.
 */
export function rawPost(
  url: string,
  headers: Record<string, string>,
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      const writtenAtAnswer = written;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), written: writtenAtAnswer });
      });
    });
    // Once answered, errors of the unsent rest (the server closing the connection) are expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const send = async () => {
      for await (const chunk of chunks) {
        if (answered || req.destroyed) return;
        written += chunk.length;
        if (!req.write(chunk, () => undefined)) await new Promise((resolve) => req.once('drain', resolve));
      }
      if (!answered && !req.destroyed) req.end();
    };
    if (headers.expect === '100-continue') req.once('continue', () => void send());
    else void send();
  });
}

/** `count` chunks of `size` bytes of `x`. */
export function* filler(count: number, size = 1024 * 1024): Generator<Buffer> {
  const chunk = Buffer.alloc(size, 'x');
  for (let i = 0; i < count; i++) yield chunk;
}

/** `fast` chunks of 1 MB at once, then one of 64 KB every `everyMs` for at most `forMs`. */
export async function* trickle(fast: number, everyMs: number, forMs: number): AsyncGenerator<Buffer> {
  yield* filler(fast);
  const small = Buffer.alloc(64 * 1024, 'x');
  for (const until = Date.now() + forMs; Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    yield small;
  }
}
