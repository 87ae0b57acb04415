import { BatchedLookup } from './batched-lookup';

interface Row {
  key: string;
  value: number;
}

describe('BatchedLookup', () => {
  const store = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);

  const lookup = (maxBatch?: number) => {
    const queries: string[][] = [];
    const batched = new BatchedLookup<string, Row>(
      async (keys) => {
        queries.push([...keys]);
        return keys.filter((key) => store.has(key)).map((key) => ({ key, value: store.get(key)! }));
      },
      (key) => key,
      (row) => row.key,
      maxBatch,
    );
    return { batched, queries };
  };

  it('answers the lookups of one event-loop turn with one query, each caller its own row or undefined', async () => {
    const { batched, queries } = lookup();
    const answers = await Promise.all([batched.get('a'), batched.get('zz'), batched.get('c'), batched.get('a')]);
    expect(answers).toEqual([{ key: 'a', value: 1 }, undefined, { key: 'c', value: 3 }, { key: 'a', value: 1 }]);
    // A key asked twice is asked of the store once.
    expect(queries).toEqual([['a', 'zz', 'c']]);
  });

  it('starts a new query for lookups made after the last one was sent', async () => {
    const { batched, queries } = lookup();
    await batched.get('a');
    await batched.get('b');
    expect(queries).toEqual([['a'], ['b']]);
  });

  it('splits a large turn into queries of at most maxBatch keys', async () => {
    const { batched, queries } = lookup(2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => batched.get(key)));
    expect(queries).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('rejects every caller of a failed query, and only them', async () => {
    let fail = true;
    const batched = new BatchedLookup<string, Row>(
      async (keys) => {
        if (fail) throw new Error('store unavailable');
        return keys.map((key) => ({ key, value: 0 }));
      },
      (key) => key,
      (row) => row.key,
    );
    await expect(Promise.all([batched.get('a'), batched.get('b')])).rejects.toThrow('store unavailable');
    fail = false;
    await expect(batched.get('a')).resolves.toEqual({ key: 'a', value: 0 });
  });
});
