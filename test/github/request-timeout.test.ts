/** The deadline of every GitHub request (src/github/request-timeout.ts), on a `fetch` that answers only when aborted. */
import { performance } from 'node:perf_hooks';
import { fetchWithTimeout } from '../../src/github/request-timeout.js';

/** A fetch that never answers: it rejects with its signal's reason once aborted. */
const silentFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));

async function rejection(promise: Promise<unknown>): Promise<{ name: string; ms: number }> {
  const started = performance.now();
  const error = (await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )) as Error;
  return { name: error.name, ms: performance.now() - started };
}

describe('fetchWithTimeout', () => {
  it('gives up on a call after its deadline with a TimeoutError, and gives each later call a deadline of its own', async () => {
    const bounded = fetchWithTimeout(100, silentFetch);
    const first = await rejection(bounded('https://api.github.com/a'));
    await new Promise((r) => setTimeout(r, 150)); // past the first call's deadline
    const second = await rejection(bounded('https://api.github.com/b'));
    expect(first.name).toBe('TimeoutError');
    expect(second.name).toBe('TimeoutError');
    // A deadline shared by the two calls would have rejected the second at once.
    expect(first.ms).toBeGreaterThanOrEqual(90);
    expect(second.ms).toBeGreaterThanOrEqual(90);
  });

  it("still stops on the caller's own signal", async () => {
    const controller = new AbortController();
    const pending = rejection(fetchWithTimeout(60_000, silentFetch)('https://api.github.com/a', { signal: controller.signal }));
    controller.abort();
    expect((await pending).name).toBe('AbortError');
  });

  it('without a timeout (0) is the fetch it wraps', () => {
    expect(fetchWithTimeout(0, silentFetch)).toBe(silentFetch);
  });
});
