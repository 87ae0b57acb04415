import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwned, TimestampColumn } from '../../persistence/columns';

/**
 * The conditional-request cache of a sync: the ETag a page position last answered with, the records it
 * held and the `next` it gave, so a 304 can mark those records seen and go on to the next page without a
 * body.
 */
@Entity('sync_pages', { withoutRowid: true })
export class SyncPageEntry implements TenantOwned {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  connectionId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  syncName: string;

  /** A digest of the position (page token and since). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  pageKey: string;

  @Column({ type: 'varchar', length: 512 })
  etag: string;

  @Column({ type: 'text', nullable: true })
  next: string | null;

  /** The ids of the records the page held (JSON array): a 304 marks exactly these seen. */
  @Column({ type: 'text' })
  recordIds: string;

  /** The last pass that used it: entries no completed pass used are dropped. */
  @Column({ type: 'integer' })
  lastPass: number;

  @TimestampColumn()
  fetchedAt: Date;
}
