import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, UpdatedAtColumn } from '../persistence/columns';
import type { MessageChannel, MessageStatus } from './message-contracts';

/** One step of a message's history: a status change, or a send attempt on a connection that did not succeed. */
export interface MessageEvent {
  at: string;
  status: MessageStatus;
  connectionId?: string;
  runId?: string;
  /** A failed attempt (the message may have moved on to the next connection or a later retry). */
  failure?: { category: string; code: string; message: string };
  /** What the provider said, in its words (`undelivered`, `Bounced`). */
  detail?: string;
}

/** An outbound email or SMS: where it goes, through what, and how far it got. Its content travels in its SendEmail/SendSms command, not here. */
@Entity('messages')
@Index('messages_idempotency', ['tenantId', 'channel', 'idempotencyKey'], { unique: true, where: '"idempotencyKey" IS NOT NULL' })
@Index('messages_by_status', ['tenantId', 'channel', 'status', 'createdAt'])
@Index('messages_by_provider_id', ['connectionId', 'providerMessageId'], { where: '"providerMessageId" IS NOT NULL' })
export class Message implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  channel: MessageChannel;

  @Column({ type: 'varchar', length: 16 })
  status: MessageStatus;

  @Column({ type: 'varchar', length: 128, nullable: true })
  routeName: string | null;

  /** The connection named by the caller, else the one that sent it (or tried last). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  connectionId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  providerId: string | null;

  /** The provider's id for the message (a message SID, an SMTP Message-ID): how its delivery reports find it. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  providerMessageId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  idempotencyKey: string | null;

  @JsonColumn()
  recipients: string[];

  @Column({ type: 'varchar', length: 998, nullable: true })
  subject: string | null;

  /** Body and attachments in bytes (email), or the SMS's segment count. */
  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 32, nullable: true })
  failureCategory: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  failureCode: string | null;

  @Column({ type: 'text', nullable: true })
  failureMessage: string | null;

  @JsonColumn()
  history: MessageEvent[];

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
