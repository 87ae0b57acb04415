import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, UpdatedAtColumn } from '../persistence/columns';
import type { MessageChannel } from './message-contracts';

/** A tenant's named chain of connections for one channel: a message naming it goes out on the first that works. */
@Entity('message_routes')
@Index(['tenantId', 'channel', 'name'], { unique: true })
export class MessageRoute implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  channel: MessageChannel;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @JsonColumn()
  connectionIds: string[];

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
