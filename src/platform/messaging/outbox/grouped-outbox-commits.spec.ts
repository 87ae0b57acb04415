import { RowChange, RowConflictError } from '../../persistence/row-writer';
import { GroupedOutboxCommits } from './grouped-outbox-commits';
import type { OutboxItem, TransactionalOutbox } from './transactional-outbox';

class Delivery {}
class Attempt {}

const item = (id: string): OutboxItem => ({ pattern: 'DeliverWebhook', message: { body: { id }, messageId: id } as OutboxItem['message'] });
const change = (id: string): RowChange => ({
  updates: [{ target: Delivery, where: { id }, set: { status: 'Delivered' }, expectAffected: 1 }],
  inserts: [{ target: Attempt, rows: [{ deliveryId: id }] }],
});

/** Records what reaches TransactionalOutbox.commit; refuses any commit that touches `conflicting`. */
function recordingOutbox(conflicting?: string) {
  const commits: Array<{ change: RowChange; items: readonly OutboxItem[] }> = [];
  const outbox = {
    commit: async (written: RowChange, items: readonly OutboxItem[]) => {
      if (written.updates?.some((update) => update.where.id === conflicting)) throw new RowConflictError('webhook_deliveries');
      commits.push({ change: written, items });
    },
  } as unknown as TransactionalOutbox;
  return { outbox, commits };
}

describe('GroupedOutboxCommits', () => {
  it('commits concurrent callers in one transaction: all their updates, then all their inserts, and all their messages', async () => {
    const { outbox, commits } = recordingOutbox();
    const grouped = new GroupedOutboxCommits(outbox);

    await Promise.all(['a', 'b', 'c'].map((id) => grouped.commit(change(id), [item(id)])));

    expect(commits).toHaveLength(1);
    expect(commits[0].change.updates!.map((update) => update.where.id)).toEqual(['a', 'b', 'c']);
    expect(commits[0].change.inserts).toEqual([{ target: Attempt, rows: [{ deliveryId: 'a' }, { deliveryId: 'b' }, { deliveryId: 'c' }] }]);
    expect(commits[0].items.map((entry) => entry.message.messageId)).toEqual(['a', 'b', 'c']);
  });

  it('gives the caller whose row moved on its own RowConflictError and commits the others', async () => {
    const { outbox, commits } = recordingOutbox('b');
    const grouped = new GroupedOutboxCommits(outbox);

    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((id) => grouped.commit(change(id), [item(id)])));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(RowConflictError);
    expect(commits.flatMap((commit) => commit.items.map((entry) => entry.message.messageId))).toEqual(['a', 'c']);
  });
});
