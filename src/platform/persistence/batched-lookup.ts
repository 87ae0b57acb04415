/**
 * Point lookups made concurrently, answered by one query per event-loop turn: the lookups requested while
 * the current turn runs are sent together once it ends (`setImmediate`), so N concurrent requests cost one
 * round trip to a remote store instead of N. Each caller gets its own row, or undefined.
 */
export class BatchedLookup<Key, Row> {
  private pending = new Map<string, { key: Key; waiters: Array<{ resolve: (row: Row | undefined) => void; reject: (error: unknown) => void }> }>();
  private scheduled = false;

  /**
   * @param fetch the rows for these keys (one query), each with the key it answers to (`keyOfRow`)
   * @param maxBatch keys per query; more are split into several
   */
  constructor(
    private readonly fetch: (keys: readonly Key[]) => Promise<readonly Row[]>,
    private readonly keyOf: (key: Key) => string,
    private readonly keyOfRow: (row: Row) => string,
    private readonly maxBatch = 500,
  ) {}

  get(key: Key): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      const id = this.keyOf(key);
      const entry = this.pending.get(id);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.pending.set(id, { key, waiters: [{ resolve, reject }] });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const entries = [...this.pending.values()];
    this.pending = new Map();
    for (let start = 0; start < entries.length; start += this.maxBatch) {
      const batch = entries.slice(start, start + this.maxBatch);
      this.fetch(batch.map((entry) => entry.key)).then(
        (rows) => {
          const byKey = new Map(rows.map((row) => [this.keyOfRow(row), row]));
          for (const entry of batch) {
            const row = byKey.get(this.keyOf(entry.key));
            for (const waiter of entry.waiters) waiter.resolve(row);
          }
        },
        (error: unknown) => {
          for (const entry of batch) for (const waiter of entry.waiters) waiter.reject(error);
        },
      );
    }
  }
}
