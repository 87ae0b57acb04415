/**
 * Decodes a batch of stream items one by one. An item that fails ends the batch with the chunks decoded
 * before it, and the failure is thrown by the next call: a vendor's error that arrives in the same bytes
 * as its last tokens must not swallow those tokens.
 */
export class DeferredStreamFailure {
  private failure: unknown;
  private failed = false;

  decode<Item, Chunk>(items: Iterable<Item>, decodeItem: (item: Item) => readonly Chunk[]): Chunk[] {
    this.throwIfFailed();
    const chunks: Chunk[] = [];
    for (const item of items) {
      try {
        chunks.push(...decodeItem(item));
      } catch (error) {
        this.failure = error;
        this.failed = true;
        break;
      }
    }
    if (this.failed && chunks.length === 0) this.throwIfFailed();
    return chunks;
  }

  throwIfFailed(): void {
    if (this.failed) throw this.failure;
  }
}
