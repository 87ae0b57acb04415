import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes entries submitted together in one batch, and a lone entry alone', async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit<number>(async (entries) => {
      batches.push([...entries]);
    });
    await Promise.all([1, 2, 3].map((entry) => commits.submit(entry)));
    await commits.submit(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('lets entries that arrive during a write share the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstWrite = new Promise<void>((resolve) => (release = resolve));
    const commits = new GroupCommit<number>(async (entries) => {
      batches.push([...entries]);
      if (batches.length === 1) await firstWrite;
    });
    const first = commits.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((entry) => commits.submit(entry));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('retries a refused batch entry by entry, so only the offending entry fails', async () => {
    const stored: number[] = [];
    const commits = new GroupCommit<number>(async (entries) => {
      if (entries.includes(2)) throw new Error('duplicate key');
      stored.push(...entries);
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((entry) => commits.submit(entry)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(stored).toEqual([1, 3]);
  });

  it('caps a batch at its maximum size', async () => {
    const sizes: number[] = [];
    const commits = new GroupCommit<number>(
      async (entries) => {
        sizes.push(entries.length);
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((entry) => commits.submit(entry)));
    expect(sizes).toEqual([2, 2, 1]);
  });
});
