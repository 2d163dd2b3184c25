/**
 * `withStoredCheckRun`: a job reads its head SHA's stored check run with the rest of its pipeline state, and the
 * check-run write then takes it from there instead of reading the store again.
 */
import { describe, expect, it } from '@jest/globals';
import { withStoredCheckRun, type CheckRunStore } from '../../src/github/check-run.js';

function recordingStore(): CheckRunStore & { calls: string[] } {
  const rows = new Map<string, { id: number; outputHash: string }>([['acme/widgets@b2', { id: 7, outputHash: 'stored-b2' }]]);
  const calls: string[] = [];
  return {
    calls,
    checkRunFor: (key) => {
      calls.push(`read ${key}`);
      return Promise.resolve(rows.get(key) ?? null);
    },
    saveCheckRun: (key, id, outputHash) => {
      calls.push(`save ${key} ${id} ${outputHash}`);
      rows.set(key, { id, outputHash });
      return Promise.resolve();
    },
  };
}

describe('withStoredCheckRun', () => {
  it('answers the first lookup of its key from what the job read, and every later one from the store', async () => {
    const store = recordingStore();
    const wrapped = withStoredCheckRun(store, 'acme/widgets@a1', { id: 5, outputHash: 'read-with-job-state' });
    expect(await wrapped.checkRunFor('acme/widgets@a1')).toEqual({ id: 5, outputHash: 'read-with-job-state' });
    expect(store.calls).toEqual([]);
    expect(await wrapped.checkRunFor('acme/widgets@a1')).toBeNull();
    expect(store.calls).toEqual(['read acme/widgets@a1']);
  });

  it('a save of its key makes the store answer (the value read with the job state is then stale)', async () => {
    const store = recordingStore();
    const wrapped = withStoredCheckRun(store, 'acme/widgets@a1', null);
    await wrapped.saveCheckRun('acme/widgets@a1', 9, 'in_progress', new Date(0));
    expect(await wrapped.checkRunFor('acme/widgets@a1')).toEqual({ id: 9, outputHash: 'in_progress' });
    expect(store.calls).toEqual(['save acme/widgets@a1 9 in_progress', 'read acme/widgets@a1']);
  });

  it('other head SHAs (the PR moved on since the delivery) go to the store', async () => {
    const store = recordingStore();
    const wrapped = withStoredCheckRun(store, 'acme/widgets@a1', null);
    expect(await wrapped.checkRunFor('acme/widgets@b2')).toEqual({ id: 7, outputHash: 'stored-b2' });
    expect(store.calls).toEqual(['read acme/widgets@b2']);
    expect(withStoredCheckRun(store, null, null)).toBe(store);
  });
});
