/**
 * The environment of a registered app under test: installation auth with the test key, webhooks signed with `secret`,
 * listening on 127.0.0.1:`port`, GitHub at `ghe` (GHE_HOST over plain HTTP), the store at `databaseUrl`, in production
 * mode, without the scan for failed deliveries. `extra` adds or overrides variables.
 */
import { PRIVATE_KEY } from '../github/harness.js';

export function serverEnv(
  options: { port: number; ghe: string; secret: string; databaseUrl: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    APP_ID: '123',
    PRIVATE_KEY,
    WEBHOOK_SECRET: options.secret,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    GHE_HOST: options.ghe,
    GHE_PROTOCOL: 'http',
    DATABASE_URL: options.databaseUrl,
    APP_SLUG: 'ai-review',
    NODE_ENV: 'production',
    REDELIVERY_INTERVAL_S: '0',
    ...extra,
  };
}
