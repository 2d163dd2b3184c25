/**
 * The deadline of every GitHub request (`GITHUB_REQUEST_TIMEOUT_MS`). @octokit/request (v8 and later) sends requests
 * with `fetch` and has no timeout option of its own (its `request.timeout` is ignored; only `request.signal` is
 * read), and Node's fetch waits up to 300 s for an answer's headers. So the app gives Probot a `fetch` that bounds
 * each call.
 */

/**
 * Wraps `inner` (default the global `fetch`) so that every call, each retry included, gets its own deadline of
 * `timeoutMs` ms, covering the answer's headers and body; past it the call rejects with a `TimeoutError`
 * (a DOMException), which @octokit/request turns into a RequestError with status 500 and that error as its cause
 * (src/github/retry.ts reads it as a network failure). A signal the caller passes still aborts the call.
 * `timeoutMs` 0 (or less, or NaN): no deadline, `inner` itself is returned.
 */
export function fetchWithTimeout(timeoutMs: number, inner: typeof fetch = globalThis.fetch): typeof fetch {
  if (!(timeoutMs > 0)) return inner;
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return inner(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}
