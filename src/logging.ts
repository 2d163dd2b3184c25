/**
 * The app's logger: pino JSON lines on stdout that never carry a webhook body, request headers or secrets.
 *
 * Three layers, so that no caller (ours, Probot's or Octokit's) can break the rules:
 * 1. serializers for the keys that carry payloads: `err`/`error` (Octokit's and @octokit/webhooks' errors hold the
 *    delivery under `event` and the HTTP exchange under `request`/`response`), `event` (Probot's "Webhook received"
 *    debug line logs the whole event), `req`/`res`, `headers`, `payload` and `body`;
 * 2. redaction of authorization headers, webhook signatures, tokens and keys wherever they still appear;
 * 3. a last step on every finished line (`hooks.streamWrite`): keys are made unique (the last value wins; Probot's
 *    child loggers otherwise repeat `name`), and a line longer than {@link MAX_LOG_LINE_BYTES} is shrunk.
 *
 * `name` is always `ai-review`; the `name` that Probot gives its child loggers (`probot`, `event`, ...) is logged as
 * `component`.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Upper bound of one log line in bytes (UTF-8, newline included). */
export const MAX_LOG_LINE_BYTES = 4096;
/** Longest string value kept in a log line before it is cut (characters). */
const MAX_STRING = 1000;
/** Longest string value kept when a line has to be shrunk (characters). */
const SHRUNK_STRING = 200;
const OMITTED = '[omitted]';
const REDACTED = '[redacted]';

/**
 * Creates the logger. Input: the environment (`LOG_LEVEL`, default `info`) and where lines go (stdout unless given).
 * Output: a pino logger whose every line is one JSON object with unique keys and at most {@link MAX_LOG_LINE_BYTES}.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: 'ai-review',
    level: env.LOG_LEVEL ?? 'info',
    serializers: {
      err: serializeError,
      error: serializeError,
      event: summarizeEvent,
      req: serializeRequest,
      res: serializeResponse,
      headers: () => OMITTED,
      payload: () => OMITTED,
      body: () => OMITTED,
    },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'headers["x-hub-signature"]',
        'headers["x-hub-signature-256"]',
        'signature',
        '*.authorization',
        '*.signature',
        '*.token',
        '*.privateKey',
        '*.private_key',
        '*.secret',
        '*.webhook_secret',
        '*.pem',
      ],
      censor: REDACTED,
    },
    hooks: { streamWrite: finishLine, logMethod: dropRequestFields },
  };
  const logger = pino(options, destination ?? pino.destination(1));
  // Children inherit this method (pino creates them with Object.create(parent)): Probot's `name` becomes `component`.
  type ChildFn = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const originalChild = (Object.getPrototypeOf(logger) as { child: ChildFn }).child;
  const renamingChild: ChildFn = function (this: Logger, bindings, childOptions) {
    let component: unknown;
    if (bindings && typeof bindings === 'object' && 'name' in bindings) {
      const { name, ...rest } = bindings;
      component = name;
      bindings = { ...rest, component };
    }
    const created = originalChild.call(this, bindings, childOptions);
    if (typeof component === 'string' && OCTOKIT_COMPONENTS.has(component)) (created as MessageOnly)[MESSAGE_ONLY] = true;
    return created;
  };
  logger.child = renamingChild as unknown as typeof logger.child;
  return logger;
}

/** Probot's loggers for its Octokit instances: their request log lines carry the request body as fields. */
const OCTOKIT_COMPONENTS = new Set(['octokit', 'github']);
const MESSAGE_ONLY = Symbol('ai-review.log.messageOnly');
type MessageOnly = { [MESSAGE_ONLY]?: boolean };

/**
 * `hooks.logMethod`: on Probot's Octokit loggers, a call with fields and a message keeps the message only. Probot logs
 * every GitHub request as `GitHub request: METHOD URL - STATUS` with the request body's fields (check-run summaries,
 * reviewer lists) merged into the line; the message says what is needed. Errors are kept.
 */
function dropRequestFields(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const [first, ...rest] = args as unknown[];
  if ((this as MessageOnly)[MESSAGE_ONLY] && rest.length > 0 && first !== null && typeof first === 'object' && !(first instanceof Error)) {
    return method.apply(this, rest as Parameters<pino.LogFn>);
  }
  return method.apply(this, args);
}

/**
 * Makes a finished line safe to ship: one JSON object, unique keys, at most {@link MAX_LOG_LINE_BYTES} bytes.
 * Input and output: a line as pino writes it (ending in a newline). A line that does not parse is replaced by a
 * line saying so.
 */
export function finishLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${JSON.stringify({ level: 50, time: Date.now(), name: 'ai-review', msg: 'a log line that is not JSON was dropped' })}\n`;
  }
  let text = JSON.stringify(record);
  if (fits(text)) return `${text}\n`;
  text = JSON.stringify({ ...(shrink(record, 0) as Record<string, unknown>), log_truncated: true });
  if (fits(text)) return `${text}\n`;
  // Last resort: the top-level scalars only, each cut short.
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') flat[key] = cut(value, SHRUNK_STRING);
    else if (typeof value === 'number' || typeof value === 'boolean') flat[key] = value;
    if (JSON.stringify(flat).length > MAX_LOG_LINE_BYTES / 2) break;
  }
  flat.log_truncated = true;
  return `${JSON.stringify(flat)}\n`;
}

function fits(text: string): boolean {
  // One UTF-16 unit is at most 3 UTF-8 bytes; measure exactly only when that bound does not settle it.
  return text.length * 3 < MAX_LOG_LINE_BYTES || Buffer.byteLength(text) < MAX_LOG_LINE_BYTES;
}

function shrink(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cut(value, SHRUNK_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 5).map((v) => shrink(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value).slice(0, 20)) out[key] = shrink(v, depth + 1);
  return out;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more]`;
}

/**
 * Serializer of errors: type, message, HTTP status and code, the request's method and URL (without query), the
 * delivery's id and event name, nested errors and cause, and the stack's frames (at most 8). JSON parse errors quote
 * the input: the quote is dropped from the message, and the stack's first line (which repeats it) is never kept.
 * Never the payload, headers or response data.
 */
export function serializeError(value: unknown): unknown {
  return errorSummary(value, 0);
}

function errorSummary(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cut(value, MAX_STRING);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (value instanceof Error) out.type = value.name || value.constructor.name;
  else if (typeof source.type === 'string') out.type = cut(source.type, 100);
  if (typeof source.message === 'string') {
    // V8's JSON.parse errors quote the start of the input: `Unexpected token 'q', "{"a": quoted-inp"... is not valid JSON`.
    const message =
      value instanceof SyntaxError
        ? source.message.replace(/"[\s\S]*"(\.\.\.)? is not valid JSON/, '"[input]" is not valid JSON')
        : source.message;
    out.message = cut(message, MAX_STRING);
  }
  for (const key of ['status', 'code', 'reason'] as const) {
    const field = source[key];
    if (typeof field === 'number' || typeof field === 'boolean') out[key] = field;
    else if (typeof field === 'string') out[key] = cut(field, 200);
  }
  const request = source.request as { method?: unknown; url?: unknown } | undefined;
  if (request && typeof request === 'object' && typeof request.url === 'string') {
    out.request = { method: request.method, url: withoutQuery(request.url) };
  }
  if (source.event !== undefined) out.event = summarizeEvent(source.event);
  if (depth < 2 && Array.isArray(source.errors)) out.errors = source.errors.slice(0, 5).map((e) => errorSummary(e, depth + 1));
  if (depth < 2 && source.cause !== undefined) out.cause = errorSummary(source.cause, depth + 1);
  if (value instanceof Error && typeof value.stack === 'string') {
    const frames = value.stack
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .slice(0, 8)
      .map((line) => cut(line.trim(), 300));
    if (frames.length > 0) out.stack = frames.join('\n');
  }
  return out;
}

/**
 * Serializer of `event`: an event name (a string) is kept; a webhook event (`{ id, name, payload }` as Probot and
 * @octokit/webhooks hold it) becomes the delivery id, the event name, and from a parsed payload the action,
 * repository and pull request number. An unparsed payload (a string: not yet verified) is described by its length.
 */
export function summarizeEvent(value: unknown): unknown {
  // `event` is also the event name in our own lines (`event: "pull_request"`).
  if (typeof value === 'string') return cut(value, 100);
  if (value === null || typeof value !== 'object') return value;
  const event = value as { id?: unknown; name?: unknown; payload?: unknown };
  const out: Record<string, unknown> = {};
  if (typeof event.id === 'string') out.delivery_id = cut(event.id, 100);
  if (typeof event.name === 'string') out.event = cut(event.name, 100);
  const payload = event.payload;
  if (typeof payload === 'string') out.payload_length = payload.length;
  else if (payload && typeof payload === 'object') {
    const p = payload as { action?: unknown; repository?: { full_name?: unknown }; pull_request?: { number?: unknown }; number?: unknown };
    if (typeof p.action === 'string') out.action = cut(p.action, 100);
    if (typeof p.repository?.full_name === 'string') out.repository = cut(p.repository.full_name, 200);
    const number = p.pull_request?.number ?? p.number;
    if (typeof number === 'number') out.pull_number = number;
  }
  return out;
}

/** Serializer of an HTTP request: method and path (no query string: it can carry one-time codes), no headers. */
export function serializeRequest(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const req = value as { method?: unknown; url?: unknown; id?: unknown };
  return {
    ...(typeof req.id === 'string' || typeof req.id === 'number' ? { id: req.id } : {}),
    method: typeof req.method === 'string' ? cut(req.method, 20) : undefined,
    path: typeof req.url === 'string' ? cut(withoutQuery(req.url), 200) : undefined,
  };
}

/** Serializer of an HTTP response: the status code only. */
export function serializeResponse(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const status = (value as { statusCode?: unknown; status?: unknown }).statusCode ?? (value as { status?: unknown }).status;
  return { status_code: status };
}

/** `url` without its query string and fragment. */
export function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
