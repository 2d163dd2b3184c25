import { describe, expect, it } from '@jest/globals';
import { groupCommit } from '../src/group-commit.js';

describe('groupCommit', () => {
  it('writes calls made together as one batch, and those made while it is written as the next one; each gets its own result', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const add = groupCommit(async (batch: readonly number[]) => {
      batches.push([...batch]);
      if (batches.length === 1) await first;
      return batch.map((n) => n * 10);
    });
    const a = [add(1), add(2)];
    while (batches.length === 0) await new Promise((resolve) => setImmediate(resolve)); // the first batch is being written
    const b = [add(3), add(4), add(5)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([[1, 2]]); // the second batch waits for the first
    release();
    expect(await Promise.all([...a, ...b])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('a failed write rejects every call of its batch, and the next batch still runs', async () => {
    let fail = true;
    const add = groupCommit(
      (batch: readonly string[]) => (fail ? Promise.reject(new Error('store down')) : Promise.resolve(batch.map((s) => s.toUpperCase()))),
      2,
    );
    const failed = await Promise.allSettled([add('a'), add('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await Promise.all([add('c'), add('d'), add('e')])).toEqual(['C', 'D', 'E']);
  });
});
