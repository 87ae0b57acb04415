import { Column, Entity, Index } from 'typeorm';
import { IdColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';

/**
 * Where the current OAuth2 access token of one (credential, token endpoint, scopes) lives: the token
 * itself is a version of a secret in the secrets port; this row only says which version and until when.
 */
@Entity('oauth_tokens')
@Index(['tenantId', 'credentialId'])
export class OAuthToken implements TenantOwned {
  /** A digest of credential id, token URL and scopes. */
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  credentialId: string;

  @Column({ type: 'varchar', length: 127 })
  secretName: string;

  @Column({ type: 'varchar', length: 128 })
  secretVersion: string;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn()
  refreshedAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
