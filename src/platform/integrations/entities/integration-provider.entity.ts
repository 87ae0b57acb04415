import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TenantOwned, UpdatedAtColumn } from '../../persistence/columns';
import type { ProviderCategory } from '../../vendors/vendor-descriptor';

export type ProviderStatus = 'Active' | 'Deprecated' | 'Disabled';

/** A vendor the platform can talk to. Built-in providers belong to GLOBAL_TENANT and follow the vendor catalogue; tenants may add their own. */
@Entity('integration_providers')
@Index(['id'])
export class IntegrationProvider implements TenantOwned {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 32 })
  category: ProviderCategory;

  @JsonColumn()
  capabilities: string[];

  /** The default auth mode of its connections (`none` for a provider without an outbound API). */
  @Column({ type: 'varchar', length: 32 })
  authModel: string;

  /** Every auth mode its API accepts; null on rows stored before providers declared them (the default mode only). */
  @JsonColumn({ nullable: true })
  authModes: string[] | null;

  /** The name of the webhook verifier its inbound callbacks use (a catalogue verifier). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  webhookVerifier: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  defaultBaseUrl: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  docsUrl: string | null;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status: ProviderStatus;

  @Column({ type: 'boolean', default: false })
  builtIn: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
