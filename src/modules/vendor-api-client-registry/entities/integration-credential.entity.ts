import { Column, Entity, Index } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  JsonColumn,
  RowVersionColumn,
  TenantIdColumn,
  TenantOwned,
  TimestampColumn,
  UpdatedAtColumn,
} from '../../../platform/persistence/columns';

export interface RotationPolicy {
  /** Milliseconds between automatic rotations; absent = rotate on demand only. */
  intervalMs?: number;
  /** How long the previous version keeps verifying after a rotation (webhook secrets). */
  overlapMs?: number;
}

/** A reference to a secret in the secrets port. The value itself never reaches this table. */
@Entity('integration_credentials')
@Index(['tenantId', 'name'], { unique: true })
@Index(['nextRotationAt'])
export class IntegrationCredential implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 32, default: 'secret' })
  kind: string;

  @Column({ type: 'varchar', length: 512 })
  secretRef: string;

  @Column({ type: 'varchar', length: 128 })
  secretVersion: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  previousSecretVersion: string | null;

  @TimestampColumn({ nullable: true })
  previousVersionValidUntil: Date | null;

  /** `sha256:` + hex of an HMAC of the value under a platform key; identifies a value without revealing it. */
  @Column({ type: 'varchar', length: 80 })
  fingerprint: string;

  @JsonColumn({ nullable: true })
  rotationPolicy: RotationPolicy | null;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status: 'Active' | 'Disabled';

  @TimestampColumn({ nullable: true })
  lastRotatedAt: Date | null;

  @TimestampColumn({ nullable: true })
  nextRotationAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
