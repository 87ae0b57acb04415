import { Injectable } from '@nestjs/common';
import { GroupCommit } from '../../persistence/group-commit';
import { mergeRowChanges, RowChange } from '../../persistence/row-writer';
import { OutboxItem, TransactionalOutbox } from './transactional-outbox';

/**
 * TransactionalOutbox.commit for hot paths: the rows and messages of concurrent callers share one store
 * transaction (group commit). A batch the store refuses (a duplicate key, a conditional update that found
 * its row moved on) is retried entry by entry, so every caller still gets its own outcome and error.
 *
 * The injected instance is the process's shared one: writers of one pipeline (the run journal, message
 * records) that commit in the same turn share one transaction instead of one each.
 */
@Injectable()
export class GroupedOutboxCommits {
  private readonly commits: GroupCommit<{ change: RowChange; items: readonly OutboxItem[] }>;

  constructor(outbox: TransactionalOutbox) {
    this.commits = new GroupCommit((entries) =>
      outbox.commit(
        mergeRowChanges(entries.map((entry) => entry.change)),
        entries.flatMap((entry) => entry.items),
      ),
    );
  }

  commit(change: RowChange, items: readonly OutboxItem[]): Promise<void> {
    return this.commits.submit({ change, items });
  }
}
