import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, TenantIdColumn, TenantOwned } from '../../persistence/columns';

export interface RateLimitProfile {
  requestsPerSecond: number;
  burst: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retryOn: Array<'Transient' | 'RateLimited'>;
}

/** One immutable, versioned way of calling a provider's API. A new registration is a new version. */
@Entity('external_api_clients')
@Index(['tenantId', 'providerId', 'version'], { unique: true })
export class ExternalApiClient implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  providerId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 2048 })
  baseUrl: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  apiVersion: string | null;

  @JsonColumn()
  rateLimitProfile: RateLimitProfile;

  @JsonColumn()
  retryPolicy: RetryPolicy;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status: 'Active' | 'Superseded';

  @CreatedAtColumn()
  createdAt: Date;
}
