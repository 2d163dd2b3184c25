/**
 * Recovery of missed deliveries. GitHub does not retry a failed delivery; an app can list its recent deliveries
 * and ask for a redelivery (REST "Webhooks" for apps: `GET /app/hook/deliveries`, paged with a `cursor` in the
 * Link header, and `POST /app/hook/deliveries/{delivery_id}/attempts`, both with the app's JWT). Deliveries are
 * kept for 3 days. A delivery's attempts share its `guid`; an attempt whose status code is not 2xx failed.
 */
import type { Logger } from 'pino';
import type { PipelineState } from '../queue/types.js';
import type { Octokit } from './facts.js';

/** One listed delivery attempt (the fields read). */
export interface HookDelivery {
  id: number;
  guid: string;
  status_code: number;
  delivered_at: string;
  redelivery?: boolean;
}

/** GitHub keeps deliveries for 3 days; older ones cannot be redelivered. In ms. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 3600 * 1000;

/**
 * Picks the attempts to redeliver: for each `guid` whose attempts all failed (no 2xx), its latest attempt, if it
 * is within the window. Pure. Input: attempts in any order; output: one attempt per failed guid.
 */
export function failedDeliveries(deliveries: readonly HookDelivery[], now: Date, windowMs = REDELIVERY_WINDOW_MS): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const d of deliveries) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  const out: HookDelivery[] = [];
  for (const attempts of byGuid.values()) {
    if (attempts.some((a) => a.status_code >= 200 && a.status_code < 300)) continue;
    const latest = attempts.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a));
    if (now.getTime() - Date.parse(latest.delivered_at) <= windowMs) out.push(latest);
  }
  return out;
}

/**
 * Lists the app's deliveries of the last 3 days and asks GitHub to redeliver each failed one, once per guid
 * across all replicas (the claim is stored), while holding the `redelivery` lock so only one instance scans at
 * a time. Output: counts; `skipped: true` when another instance held the lock.
 */
export async function redeliverFailedDeliveries(deps: {
  appOctokit: () => Promise<Octokit>;
  state: PipelineState;
  log: Logger;
  now?: () => Date;
  onRedelivery?: (result: 'requested' | 'failed') => void;
}): Promise<{ scanned: number; requested: number; skipped: boolean }> {
  const now = deps.now ?? (() => new Date());
  const result = await deps.state.withExclusiveLock('redelivery', async () => {
    const octokit = await deps.appOctokit();
    const cutoff = now().getTime() - REDELIVERY_WINDOW_MS;
    const deliveries: HookDelivery[] = [];
    // Newest first: stop paging once a page reaches past the 3-day window.
    for await (const page of octokit.paginate.iterator('GET /app/hook/deliveries', { per_page: 100 })) {
      const items = page.data as unknown as HookDelivery[];
      deliveries.push(...items);
      if (items.length === 0 || items.some((d) => Date.parse(d.delivered_at) < cutoff)) break;
    }
    let requested = 0;
    for (const delivery of failedDeliveries(deliveries, now())) {
      if (!(await deps.state.claimRedelivery(delivery.guid, now()))) continue;
      try {
        await octokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: delivery.id });
        requested++;
        deps.onRedelivery?.('requested');
      } catch (error) {
        deps.onRedelivery?.('failed');
        deps.log.warn(
          { delivery_guid: delivery.guid, err: { message: (error as Error).message, status: (error as { status?: number }).status } },
          'redelivery request failed',
        );
      }
    }
    if (requested > 0) deps.log.info({ scanned: deliveries.length, requested }, 'asked GitHub to redeliver failed deliveries');
    return { scanned: deliveries.length, requested, skipped: false };
  });
  return result ?? { scanned: 0, requested: 0, skipped: true };
}
