/**
 * `WEBHOOK_PROXY_URL` for local development: a smee.io channel receives GitHub's deliveries and smee-client (a
 * development dependency) forwards each one to the local webhook path. Not for production: the channel is public.
 */
import type { Logger } from 'pino';

interface SmeeClientClass {
  new (options: { source: string; target: string; logger: Pick<Console, 'info' | 'error'> }): {
    start(): Promise<unknown>;
    stop(): Promise<void>;
  };
  createChannel(options?: { newChannelUrl?: string }): Promise<string>;
}

async function loadSmeeClient(log: Logger): Promise<SmeeClientClass | null> {
  try {
    const module = (await import('smee-client')) as unknown as { SmeeClient: SmeeClientClass };
    return module.SmeeClient;
  } catch {
    log.warn('smee-client is not installed (npm ci without --omit=dev): WEBHOOK_PROXY_URL is ignored');
    return null;
  }
}

/**
 * Forwards deliveries from the channel `source` to `target` (the local webhook URL). Resolves to a function that
 * stops forwarding, or null when smee-client is missing. Rejects when the channel cannot be reached in `timeoutMs`.
 */
export async function startWebhookProxy(options: {
  source: string;
  target: string;
  log: Logger;
  timeoutMs?: number;
}): Promise<(() => Promise<void>) | null> {
  const SmeeClient = await loadSmeeClient(options.log);
  if (!SmeeClient) return null;
  const log = options.log.child({ name: 'smee' });
  const client = new SmeeClient({
    source: options.source,
    target: options.target,
    logger: {
      info: (message: unknown) => log.debug(String(message).slice(0, 300)),
      error: (message: unknown) => log.warn(String(message).slice(0, 300)),
    },
  });
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`could not connect to ${options.source} within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    await client.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  log.info({ source: options.source, target: options.target }, 'forwarding webhook deliveries from WEBHOOK_PROXY_URL');
  return () => client.stop();
}

/** Creates a new smee.io channel (network). Resolves to its URL, or null when smee-client is missing or smee.io does not answer. */
export async function createSmeeChannel(log: Logger, newChannelUrl?: string, timeoutMs = 5000): Promise<string | null> {
  const SmeeClient = await loadSmeeClient(log);
  if (!SmeeClient) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      SmeeClient.createChannel(newChannelUrl ? { newChannelUrl } : {}),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
  } catch (error) {
    log.warn({ err: error }, 'could not create a smee.io channel');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
