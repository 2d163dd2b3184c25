/**
 * Rejecting a webhook delivery whose payload lacks what the webhook path needs: HTTP 400 with a log line naming the
 * delivery. The shapes themselves are `gatePayloads` in `src/webhooks/payloads.ts` (shared with metrics).
 */
import type { z } from 'zod';

/** An error that the webhook middleware turns into an HTTP status (here 400: the payload lacks needed fields). */
export class PayloadError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** Validates a payload; throws {@link PayloadError} naming the first missing or wrong field. */
export function parsePayload<T extends z.ZodTypeAny>(schema: T, payload: unknown, event: string): z.output<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(`${event} payload rejected: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
