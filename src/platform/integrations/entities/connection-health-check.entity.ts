import { Column, Entity, Index } from 'typeorm';
import { IdColumn, TenantIdColumn, TenantOwned, TimestampColumn } from '../../persistence/columns';
import type { ConnectionHealth } from './integration-connection.entity';

/** One probe of one connection by the ExternalApiHealthWorker: the health history. */
@Entity('connection_health_checks')
@Index(['tenantId', 'connectionId', 'checkedAt'])
export class ConnectionHealthCheck implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  connectionId: string;

  @Column({ type: 'varchar', length: 64 })
  providerId: string;

  @TimestampColumn()
  checkedAt: Date;

  @Column({ type: 'boolean' })
  passed: boolean;

  /** The connection's health after this probe. */
  @Column({ type: 'varchar', length: 16 })
  health: ConnectionHealth;

  @Column({ type: 'integer' })
  latencyMs: number;

  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  failureCategory: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;
}
