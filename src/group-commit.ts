/**
 * Group commit for the webhook path's writes: calls made while one batch is being written wait and go together in
 * the next batch, so a burst of deliveries costs one statement per batch instead of one per delivery. Built on
 * DataLoader (batching and per-key results); this module only adds the scheduling: at most one batch in flight,
 * the next dispatched on the turn of the event loop after it settles.
 */
import DataLoader from 'dataloader';

/**
 * A function that queues one item and resolves with its own result once its batch is written.
 * @param write writes a batch; resolves one result per item, in order; a rejection rejects every item of the batch.
 * @param maxBatchSize most items per batch (default 100).
 */
export function groupCommit<T, R>(write: (batch: readonly T[]) => Promise<R[]>, maxBatchSize = 100): (item: T) => Promise<R> {
  let inFlight: Promise<unknown> = Promise.resolve();
  const loader = new DataLoader<T, R>(
    (batch) => {
      const written = write(batch);
      inFlight = written.catch(() => undefined);
      return written;
    },
    { cache: false, maxBatchSize, batchScheduleFn: (dispatch) => void inFlight.then(() => setImmediate(dispatch)) },
  );
  return (item) => loader.load(item);
}
