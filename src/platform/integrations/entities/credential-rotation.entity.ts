import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, RowVersionColumn, TenantIdColumn, TenantOwned, TimestampColumn } from '../../persistence/columns';

export type RotationStatus = 'Pending' | 'Verifying' | 'Succeeded' | 'Failed';
export type RotationTrigger = 'manual' | 'scheduled';

/** One rotation of one credential. The rotation token makes a repeated request a no-op. */
@Entity('credential_rotations')
@Index(['tenantId', 'credentialId', 'rotationToken'], { unique: true })
@Index(['tenantId', 'credentialId', 'createdAt'])
export class CredentialRotation implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  credentialId: string;

  @Column({ type: 'varchar', length: 200 })
  rotationToken: string;

  @Column({ type: 'varchar', length: 16 })
  trigger: RotationTrigger;

  @Column({ type: 'varchar', length: 16, default: 'Pending' })
  status: RotationStatus;

  /** The secret version under test; made current on success, disabled on failure. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  candidateVersion: string | null;

  @Column({ type: 'varchar', length: 128 })
  previousVersion: string;

  /** Verification runs tried with the candidate. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  failureMessage: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  completedAt: Date | null;

  @RowVersionColumn()
  rowVersion: number;
}
