/**
 * The webhook endpoint: checks a delivery before anything else sees it, then hands the parsed event to the app's
 * handler.
 *
 * In order, without logging any header or body: method POST, `Content-Type: application/json`, the delivery headers
 * (`X-GitHub-Event`, `X-GitHub-Delivery`, `X-Hub-Signature-256`), the declared size against GitHub's 25 MB payload
 * cap (413 before a byte is read; with `Expect: 100-continue` before the sender sends it, see
 * {@link refusesBeforeContinue}), the body kept up to that cap, the HMAC signature, and the JSON. A refused delivery
 * is answered 4xx and gives one log line (delivery id, event, reason, body size). An accepted one is passed to
 * `receive` and answered 200 when handled, 202 when handling takes longer than `timeoutMs` (GitHub gives up after
 * 10 s), or the handler's error status (an error's numeric `status` in 400–599, else 500).
 *
 * Sources: GitHub caps webhook payloads at 25 MB and does not deliver larger ones
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap); signatures are HMAC-SHA256 of the
 * body in `X-Hub-Signature-256` (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeRequest, type Handler } from './server.js';
import { summarizeEvent, withoutQuery } from '../logging.js';

/** GitHub's webhook payload cap: 25 MB (bytes). */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** The path Probot and @octokit/webhooks serve webhooks at. */
export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';
/** How long a delivery may take before it is answered 202 (ms); GitHub times out at 10 s. */
export const RECEIVE_TIMEOUT_MS = 9000;

/** A verified, parsed delivery. */
export interface WebhookDelivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export interface WebhookEndpointOptions {
  /** Path served, e.g. {@link DEFAULT_WEBHOOK_PATH}; a trailing slash is ignored. */
  path: string;
  /** Checks `X-Hub-Signature-256` against the raw body; resolves to false (or rejects) when it does not match. */
  verify: (body: string, signature: string) => Promise<boolean>;
  /** Handles a verified delivery (the app's `receive`, src/github/app.ts). */
  receive: (delivery: WebhookDelivery) => Promise<unknown>;
  /** Largest body accepted (bytes); default {@link GITHUB_MAX_PAYLOAD_BYTES}. */
  maxBodyBytes?: number;
  /** Default {@link RECEIVE_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** Whether a request is for the webhook path `path` (query string and a trailing slash ignored). */
export function isWebhookPath(req: IncomingMessage, path: string): boolean {
  return normalize(withoutQuery(req.url ?? '')) === normalize(path);
}

function normalize(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * For a request with `Expect: 100-continue`: true when the endpoint will refuse it from its headers alone (a declared
 * size over the cap), so the server answers without asking the sender for the body.
 */
export function refusesBeforeContinue(req: IncomingMessage, path: string, maxBodyBytes = GITHUB_MAX_PAYLOAD_BYTES): boolean {
  return isWebhookPath(req, path) && Number(req.headers['content-length']) > maxBodyBytes;
}

/** Builds the webhook endpoint handler. */
export function createWebhookEndpoint(options: WebhookEndpointOptions): Handler {
  const maxBytes = options.maxBodyBytes ?? GITHUB_MAX_PAYLOAD_BYTES;
  const timeoutMs = options.timeoutMs ?? RECEIVE_TIMEOUT_MS;
  return async (req, res) => {
    if (!isWebhookPath(req, options.path)) return false;
    const id = headerValue(req, 'x-github-delivery');
    const name = headerValue(req, 'x-github-event');
    const declared = Number(req.headers['content-length']);
    describeRequest(res, {
      msg: 'webhook delivery',
      delivery_id: id?.slice(0, 100),
      event: name?.slice(0, 100),
      ...(Number.isFinite(declared) ? { body_bytes: declared } : {}),
    });
    if (req.method !== 'POST') return refuseDelivery(req, res, 405, 'method not allowed', { allow: 'POST' });
    if (!/^\s*application\/json\s*(;|$)/i.test(headerValue(req, 'content-type') ?? '')) {
      return refuseDelivery(req, res, 415, 'unsupported content type (GitHub must send application/json)');
    }
    const signature = headerValue(req, 'x-hub-signature-256');
    const missing = [!name && 'x-github-event', !id && 'x-github-delivery', !signature && 'x-hub-signature-256'].filter(Boolean);
    if (missing.length > 0) return refuseDelivery(req, res, 400, `missing header ${missing.join(', ')}`);
    if (declared > maxBytes) return refuseDelivery(req, res, 413, `payload larger than ${maxBytes} bytes`);
    const body = await readBody(req, maxBytes);
    describeRequest(res, { body_bytes: body.bytes });
    if (body.text === null)
      return refuseDelivery(
        req,
        res,
        body.tooLarge ? 413 : 400,
        body.tooLarge ? `payload larger than ${maxBytes} bytes` : 'body not received',
      );
    const verified = await options.verify(body.text, signature!).catch(() => false);
    if (!verified) return refuseDelivery(req, res, 400, 'signature does not match (check WEBHOOK_SECRET)');
    let payload: unknown;
    try {
      payload = JSON.parse(body.text);
    } catch {
      return refuseDelivery(req, res, 400, 'body is not JSON');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      return refuseDelivery(req, res, 400, 'payload is not a JSON object');
    const delivery: WebhookDelivery = { id: id!, name: name!, payload: payload as Record<string, unknown> };
    const { delivery_id: _id, event: _event, ...about } = summarizeEvent(delivery) as Record<string, unknown>;
    describeRequest(res, about);
    return answer(res, options.receive(delivery), timeoutMs);
  };
}

async function answer(res: ServerResponse, handling: Promise<unknown>, timeoutMs: number): Promise<true> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([
    handling.then(
      () => 'handled' as const,
      (error: unknown) => error,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    // Handling goes on; its errors are logged by Probot's error handler.
    handling.catch(() => undefined);
    describeRequest(res, { outcome: 'still processing' });
    res.writeHead(202, { 'content-type': 'text/plain' }).end('still processing\n');
  } else if (outcome === 'handled') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else {
    const status = errorStatus(outcome);
    describeRequest(res, { reason: 'handler failed', level: status >= 500 ? 'error' : 'warn' });
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: status >= 500 ? 'handling failed' : 'delivery rejected' }));
  }
  return true;
}

/**
 * The HTTP status an error from the handler maps to: its own `status` (or an inner error's, for @octokit/webhooks'
 * AggregateError) if 400–599, else 500. The status of a failed GitHub API call (an Octokit `RequestError`, which
 * carries `request`) says nothing about the delivery and maps to 500.
 */
export function errorStatus(error: unknown): number {
  const candidates = [error, ...((error as { errors?: unknown[] } | null)?.errors ?? [])];
  for (const candidate of candidates) {
    if (candidate === null || typeof candidate !== 'object' || 'request' in candidate) continue;
    const status = (candidate as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status <= 599) return status;
  }
  return 500;
}

/**
 * Answers a refused delivery: `status` with `{"error": reason}`, and the one log line's reason. A body left unread is
 * discarded as it arrives (never buffered) for at most a second after the answer, then the connection is cut: closing
 * it at once would make the sender's TCP stack drop our answer, and waiting longer would let a sender stream forever.
 */
export function refuseDelivery(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): true {
  describeRequest(res, { msg: 'webhook delivery refused', reason, level: 'warn' });
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: reason }));
  if (!req.complete) {
    res.once('finish', () => {
      req.removeAllListeners('data');
      req.resume();
      setTimeout(() => {
        if (!req.complete) req.socket.destroy();
      }, 1000).unref();
    });
  }
  return true;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How long the rest of an oversized body is discarded before the 413 is sent anyway (ms). */
const DISCARD_MS = 1000;

/**
 * Reads the body, keeping at most `maxBytes`. Output: the text (UTF-8) and the bytes received; `text` null when the
 * body exceeded `maxBytes` (`tooLarge`) or the client went away. Past `maxBytes` nothing more is kept: the rest is
 * discarded as it arrives until the body ends or {@link DISCARD_MS} pass, so that the 413 reaches a sender that is
 * still sending (answering at once makes Node close the connection under it, and its TCP stack then drops the answer).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<{ text: string | null; bytes: number; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (text: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      resolve({ text, bytes, tooLarge: bytes > maxBytes });
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
      else if (timer === undefined) {
        chunks.length = 0;
        timer = setTimeout(() => finish(null), DISCARD_MS);
      }
    };
    req.on('data', onData);
    req.once('end', () => finish(bytes > maxBytes ? null : Buffer.concat(chunks).toString('utf8')));
    req.once('error', () => finish(null));
    req.once('close', () => finish(null));
  });
}
