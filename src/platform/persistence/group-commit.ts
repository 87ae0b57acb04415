interface Pending<T> {
  entry: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit entries and wait for their own to be stored, but entries submitted
 * while a write is in flight share the next one (one transaction for many). An idle committer writes
 * on the next turn of the event loop, so a lone caller pays one transaction and nothing more. A batch the
 * store refuses is retried entry by entry, so only the offending entries fail (a duplicate key, say).
 */
export class GroupCommit<T> {
  private queue: Array<Pending<T>> = [];
  private draining = false;

  constructor(
    private readonly write: (entries: readonly T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  submit(entry: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once everything submitted so far is written (shutdown). */
  async flush(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((pending) => pending.entry));
          batch.forEach((pending) => pending.resolve());
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else await this.writeOneByOne(batch);
        }
      }
    } finally {
      this.draining = false;
      if (this.queue.length > 0) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async writeOneByOne(batch: ReadonlyArray<Pending<T>>): Promise<void> {
    for (const pending of batch) {
      try {
        await this.write([pending.entry]);
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
