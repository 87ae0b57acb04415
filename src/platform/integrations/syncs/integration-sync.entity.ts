import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';

export type SyncState = 'Idle' | 'Running' | 'Failed';
export type PassKind = 'full' | 'incremental';

/** What one pass saw and changed. */
export interface PassCounts {
  pages: number;
  seen: number;
  created: number;
  updated: number;
  deleted: number;
}

/** The last completed pass. */
export interface CompletedPass extends PassCounts {
  number: number;
  kind: PassKind;
  completedAt: string;
}

/** Why the last run stopped short: never a secret, never a vendor body. */
export interface SyncError {
  category: string;
  code: string;
  message: string;
  at: string;
}

export const EMPTY_COUNTS: Readonly<PassCounts> = { pages: 0, seen: 0, created: 0, updated: 0, deleted: 0 };

/**
 * One sync source configured on one connection: its schedule, and the pass in progress (checkpointed
 * after every page: `pageCursor` is where the next unprocessed page starts) or the last one completed.
 */
@Entity('integration_syncs')
@Index(['tenantId', 'connectionId', 'name'], { unique: true })
@Index(['enabled', 'nextRunAt'])
export class IntegrationSync implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  connectionId: string;

  /** The sync source's name in the connection's vendor descriptor. */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'integer' })
  intervalMs: number;

  /** An incremental source does a full pass (the one that detects deletions) every this many passes. */
  @Column({ type: 'integer' })
  fullPassEvery: number;

  @Column({ type: 'varchar', length: 16 })
  state: SyncState;

  /** The number of the pass in progress, else of the last one started. */
  @Column({ type: 'integer' })
  passNumber: number;

  /** Set while a pass is in progress (started and not completed). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  passId: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  passKind: PassKind | null;

  /** The `since` of the incremental pass in progress (kept so a resumed pass asks the same question). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  passSince: string | null;

  /** The next page of the pass in progress; null: its first page. */
  @Column({ type: 'text', nullable: true })
  pageCursor: string | null;

  /** The newest vendor `updatedAt` seen by the pass in progress. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  passWatermark: string | null;

  @JsonColumn()
  passCounts: PassCounts;

  /** The `since` of the next incremental pass: the newest `updatedAt` of the passes completed. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  watermark: string | null;

  @JsonColumn({ nullable: true })
  lastPass: CompletedPass | null;

  @JsonColumn({ nullable: true })
  lastError: SyncError | null;

  /** The run holding the sync (with the lock): a checkpoint by any other run is refused. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @TimestampColumn({ nullable: true })
  lastRunAt: Date | null;

  @TimestampColumn({ nullable: true })
  lastCompletedAt: Date | null;

  /** When the schedule runs it next; null while the sync is disabled. */
  @TimestampColumn({ nullable: true })
  nextRunAt: Date | null;

  /** An on-demand run asked for and not yet started (runs even when the schedule is disabled). */
  @TimestampColumn({ nullable: true })
  runRequestedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
