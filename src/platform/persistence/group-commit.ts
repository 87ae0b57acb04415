interface Pending<T> {
  entry: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most entries per write. */
  maxBatch?: number;
  /**
   * How long a batch that is not full waits for more entries before it is written, asked when the first
   * entry of a batch arrives: 0 writes on the next turn of the event loop. `kick()` cuts a wait short.
   */
  delayMs?: () => number;
}

/**
 * Group commit: callers submit entries and wait for their own to be stored, but entries submitted close
 * together, or while a write is in flight, share one write (one transaction for many). With no delay a
 * lone caller pays one transaction and nothing more. A batch the store refuses is retried entry by entry,
 * so only the offending entries fail (a duplicate key, say).
 */
export class GroupCommit<T> {
  private queue: Array<Pending<T>> = [];
  private draining = false;
  /** Cancels the scheduled write, while one is scheduled. */
  private waiting?: () => void;
  private readonly maxBatch: number;
  private readonly delayMs: () => number;

  constructor(
    private readonly write: (entries: readonly T[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.delayMs = options.delayMs ?? (() => 0);
  }

  submit(entry: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  /** Writes what is waiting now instead of after its delay. */
  kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.waiting?.();
    this.waiting = undefined;
    void this.drain();
  }

  /** Writes everything submitted so far (shutdown). */
  async flush(): Promise<void> {
    this.kick();
    while (this.draining || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private schedule(): void {
    if (this.draining || this.waiting) return;
    if (this.queue.length >= this.maxBatch) return this.kick();
    const delayMs = this.delayMs();
    if (delayMs > 0) {
      const timer = setTimeout(() => this.start(), delayMs);
      this.waiting = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.start());
      this.waiting = () => clearImmediate(immediate);
    }
  }

  private start(): void {
    this.waiting = undefined;
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
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
      if (this.queue.length > 0) this.schedule();
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
