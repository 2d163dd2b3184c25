/** src/logging.ts: what a line may carry, its size, and unique keys, whatever the caller passes. */
import { createLogger, finishLine, MAX_LOG_LINE_BYTES } from '../../src/logging.js';
import { LogCapture } from '../e2e/log-lines.js';

function logger(level: 'debug' | 'info' = 'debug') {
  const capture = new LogCapture();
  return { log: createLogger({ LOG_LEVEL: level }, { write: capture.write }), capture };
}

describe('createLogger', () => {
  it("keeps `name` unique: Probot's child names become `component`, the innermost wins", () => {
    const { log, capture } = logger();
    log.child({ name: 'probot' }).child({ name: 'event', id: 'd-1' }).info('hello');
    expect(capture.lines[0]).not.toMatch(/"name":.*"name":/);
    expect(capture.all()[0]).toMatchObject({ name: 'ai-review', component: 'event', id: 'd-1', msg: 'hello' });
  });

  it('keeps keys unique when a line repeats a bound field (the line wins)', () => {
    const { log, capture } = logger();
    log.child({ delivery_id: 'bound' }).info({ delivery_id: 'line' }, 'x');
    expect(capture.all()[0]).toMatchObject({ delivery_id: 'line' });
  });

  it('logs an error from @octokit/webhooks without the delivery it carries', () => {
    const { log, capture } = logger();
    const body = JSON.stringify({ action: 'opened', pull_request: { body: 'SECRET PR TEXT' } });
    const inner = Object.assign(new Error('[@octokit/webhooks] signature does not match event payload and secret'), {
      status: 400,
      event: { id: 'd-2', name: 'pull_request', payload: body, signature: 'sha256=abc' },
    });
    const error = Object.assign(new AggregateError([inner], inner.message), { event: inner.event });
    log.error(error);
    const [line] = capture.all();
    expect(capture.lines[0]).not.toContain('SECRET PR TEXT');
    expect(capture.lines[0]).not.toContain('sha256=abc');
    expect(line!.err).toMatchObject({
      type: 'AggregateError',
      event: { delivery_id: 'd-2', event: 'pull_request', payload_length: body.length },
      errors: [{ type: 'Error', status: 400, event: { delivery_id: 'd-2' } }],
    });
    expect((line!.err as { stack: string }).stack).toMatch(/^at /);
  });

  it('summarizes a parsed event (Probot logs every received event at debug)', () => {
    const { log, capture } = logger();
    const payload = { action: 'opened', repository: { full_name: 'acme/widgets' }, pull_request: { number: 7, body: 'PR TEXT' } };
    log.debug({ event: { id: 'd-3', name: 'pull_request', payload } }, 'Webhook received');
    expect(capture.all()[0]!.event).toEqual({
      delivery_id: 'd-3',
      event: 'pull_request',
      action: 'opened',
      repository: 'acme/widgets',
      pull_number: 7,
    });
    expect(capture.lines[0]).not.toContain('PR TEXT');
  });

  it('keeps the JSON parse error out of a logged stack (V8 quotes the input there)', () => {
    const { log, capture } = logger();
    let parseError: unknown;
    try {
      JSON.parse('{"a": quoted-input-1234567}');
    } catch (error) {
      parseError = error;
    }
    log.error({ err: parseError }, 'bad body');
    expect(capture.lines[0]).not.toContain('quoted-input');
    expect(capture.all()[0]!.err).toMatchObject({ type: 'SyntaxError', message: `Unexpected token 'q', "[input]" is not valid JSON` });
  });

  it('omits headers, payloads and bodies, redacts credentials, and logs requests as method and path', () => {
    const { log, capture } = logger();
    log.info(
      {
        headers: { 'x-hub-signature-256': 'sha256=1' },
        payload: { a: 1 },
        body: 'text',
        req: { method: 'GET', url: '/probot/setup?code=one-time-code', headers: { cookie: 'c' } },
        res: { statusCode: 302 },
        auth: { token: 'ghs_abc', secret: 'shh', authorization: 'Bearer x' },
      },
      'x',
    );
    const [line] = capture.all();
    expect(line).toMatchObject({
      headers: '[omitted]',
      payload: '[omitted]',
      body: '[omitted]',
      req: { method: 'GET', path: '/probot/setup' },
      res: { status_code: 302 },
      auth: { token: '[redacted]', secret: '[redacted]', authorization: '[redacted]' },
    });
    expect(capture.lines[0]).not.toContain('one-time-code');
  });

  it("keeps only the message of Probot's GitHub request lines (their fields are the request body)", () => {
    const { log, capture } = logger();
    log
      .child({ name: 'probot' })
      .child({ name: 'github' })
      .debug({ output: { summary: 'PR text' } }, 'GitHub request: POST /x - 201');
    log.child({ name: 'octokit' }).warn(new Error('rate limited'));
    const [request, warning] = capture.all();
    expect(request).toEqual(expect.objectContaining({ component: 'github', msg: 'GitHub request: POST /x - 201' }));
    expect(request!.output).toBeUndefined();
    expect(warning).toMatchObject({ component: 'octokit', err: { message: 'rate limited' }, msg: 'rate limited' });
  });

  it('bounds every line, whatever its content', () => {
    const { log, capture } = logger();
    log.info(
      { huge: 'x'.repeat(100_000), nested: { list: Array.from({ length: 1000 }, (_, i) => ({ i, text: 'y'.repeat(500) })) } },
      'm'.repeat(50_000),
    );
    log.error(new Error('e'.repeat(1_000_000)));
    for (const line of capture.lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    const [first, second] = capture.all();
    expect(first).toMatchObject({ log_truncated: true, level: 30, name: 'ai-review' });
    expect((second!.err as { message: string }).message.length).toBeLessThan(2000);
  });
});

describe('finishLine', () => {
  it('passes a small line through unchanged', () => {
    const line = '{"level":30,"msg":"hi"}\n';
    expect(finishLine(line)).toBe(line);
  });

  it('replaces a line that is not JSON', () => {
    expect(JSON.parse(finishLine('not json\n'))).toMatchObject({ level: 50, msg: 'a log line that is not JSON was dropped' });
  });

  it('drops the values of a duplicated key but the last', () => {
    expect(finishLine('{"name":"a","x":1,"name":"b"}\n')).toBe('{"name":"b","x":1}\n');
  });

  it('falls back to top-level scalars when shrinking is not enough', () => {
    const record = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, 'z'.repeat(300)]));
    const out = finishLine(`${JSON.stringify({ level: 30, msg: 'many', ...record })}\n`);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(JSON.parse(out)).toMatchObject({ level: 30, msg: 'many', log_truncated: true });
  });
});
