import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxItem, TransactionalOutbox } from '../../platform/messaging/outbox/transactional-outbox';
import { RowBatch, RowUpdate, RowWriter } from '../../platform/persistence/row-writer';
import type { AfterCommit } from '../../platform/persistence/store-transaction';

export interface DeliveryChange {
  readonly updates: readonly RowUpdate[];
  readonly inserts: readonly RowBatch[];
}

/**
 * Writes an attempt's outcome — conditional updates, new rows and the messages that follow from them
 * (the next DeliverWebhook, events) — in ONE store transaction, so a row change and the command it
 * schedules commit together or not at all. RowWriter keeps the SQLite transaction synchronous (the
 * embedded store has one connection); the outbox joins it synchronously there, through the transaction's
 * query function on PostgreSQL. A conditional update that finds its row moved on rolls everything back
 * with RowConflictError.
 */
@Injectable()
export class DeliveryStore {
  private readonly writer: RowWriter;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly outbox: TransactionalOutbox,
  ) {
    this.writer = new RowWriter(dataSource);
  }

  async commit(change: DeliveryChange, items: readonly OutboxItem[]): Promise<void> {
    let afterCommit: AfterCommit | undefined;
    await this.writer.write(
      change,
      items.length === 0
        ? undefined
        : (transaction) => {
            const joined = this.outbox.join(transaction, items);
            if (joined instanceof Promise) return joined.then((callback) => void (afterCommit = callback));
            afterCommit = joined;
          },
    );
    afterCommit?.();
  }
}
