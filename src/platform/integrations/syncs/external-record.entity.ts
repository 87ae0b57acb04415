import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TenantOwned, TimestampColumn } from '../../persistence/columns';

export type RecordChange = 'created' | 'updated' | 'deleted';

/**
 * The platform's copy of one vendor record, per (tenant, connection, sync source): its data, the hash that
 * tells a change from a re-read, and when it was first seen, last changed and deleted.
 */
@Entity('external_records', { withoutRowid: true })
@Index('external_records_changed', ['tenantId', 'connectionId', 'syncName', 'changedAt', 'externalId'])
export class ExternalRecord implements TenantOwned {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  connectionId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  syncName: string;

  @PrimaryColumn({ type: 'varchar', length: 256 })
  externalId: string;

  /** sha256 (hex) of the record's canonical JSON. */
  @Column({ type: 'varchar', length: 64 })
  contentHash: string;

  /** The record as the vendor sent it (JSON text). */
  @Column({ type: 'text' })
  data: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  vendorUpdatedAt: string | null;

  @TimestampColumn()
  firstSeenAt: Date;

  @TimestampColumn()
  changedAt: Date;

  @Column({ type: 'varchar', length: 8 })
  changeKind: RecordChange;

  @TimestampColumn({ nullable: true })
  deletedAt: Date | null;

  /** The number of the last pass that saw it: a full pass deletes what it did not see. */
  @Column({ type: 'integer' })
  lastSeenPass: number;
}
