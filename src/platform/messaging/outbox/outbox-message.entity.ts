import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../../persistence/columns';

/**
 * A message written in the same store transaction as the change it announces, for a bus outside the
 * store (Service Bus); the OutboxRelay publishes it after the commit and deletes it. Not tenant-owned:
 * the tenant travels in the message itself.
 */
@Entity('outbox_messages')
@Index(['createdAt'])
export class OutboxMessage {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 8 })
  kind: 'queue' | 'topic';

  @Column({ type: 'varchar', length: 64 })
  destination: string;

  /** The OutgoingMessage as JSON (scheduled time as epoch ms). */
  @Column({ type: 'text' })
  message: string;

  @CreatedAtColumn()
  createdAt: Date;
}
