import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';
import type { RateLimitProfile, RetryPolicy } from './external-api-client.entity';

export type ConnectionStatus = 'Pending' | 'Active' | 'Degraded' | 'Retired';
export type ConnectionHealth = 'Healthy' | 'Degraded' | 'Unhealthy' | 'Unknown';

export interface ConnectionWebhookSettings {
  secretCredentialId: string;
  /** generic-hmac only: header, algorithm, encoding, prefix, delivery id and event type headers. */
  verifierOptions?: Record<string, string>;
}

/** The outcome of the last explicit test (at creation or `POST …/test`); never a vendor's response body. */
export interface ConnectionTestResult {
  passed: boolean;
  at: string;
  runId: string | null;
  status?: number;
  category?: string;
  code?: string;
  message?: string;
}

/** A tenant's configured link to one provider. Active only with a resolvable credential and a passing first test. */
@Entity('integration_connections')
@Index(['tenantId', 'status'])
@Index(['tenantId', 'providerId'])
export class IntegrationConnection implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  projectId: string | null;

  @Column({ type: 'varchar', length: 64 })
  providerId: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 32 })
  authMode: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  credentialId: string | null;

  @JsonColumn({ nullable: true })
  webhook: ConnectionWebhookSettings | null;

  @Column({ type: 'varchar', length: 16, default: 'Pending' })
  status: ConnectionStatus;

  @Column({ type: 'varchar', length: 16, default: 'Unknown' })
  health: ConnectionHealth;

  @JsonColumn()
  configuration: Record<string, unknown>;

  @JsonColumn({ nullable: true })
  rateLimitBudget: RateLimitProfile | null;

  @JsonColumn({ nullable: true })
  retryPolicy: RetryPolicy | null;

  @TimestampColumn({ nullable: true })
  lastCheckedAt: Date | null;

  /** Failed probes in a row: three make the connection Unhealthy (HEALTH_UNHEALTHY_AFTER). */
  @Column({ type: 'integer', default: 0 })
  consecutiveProbeFailures: number;

  @JsonColumn({ nullable: true })
  lastTest: ConnectionTestResult | null;

  @TimestampColumn({ nullable: true })
  establishedAt: Date | null;

  @TimestampColumn({ nullable: true })
  retiredAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
