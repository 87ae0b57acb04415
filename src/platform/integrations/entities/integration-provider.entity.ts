import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TenantOwned, UpdatedAtColumn } from '../../persistence/columns';

export const PROVIDER_CATEGORIES = ['source-control', 'model', 'cloud', 'communication', 'payment', 'crm', 'support', 'generic'] as const;
export type ProviderCategory = (typeof PROVIDER_CATEGORIES)[number];

export const AUTH_MODELS = ['none', 'api-key', 'bearer', 'basic', 'oauth2-client-credentials', 'oauth2-refresh-token', 'app-jwt'] as const;
export type AuthModel = (typeof AUTH_MODELS)[number];

export const WEBHOOK_VERIFIERS = ['github', 'stripe', 'standard-webhooks', 'azure-devops', 'twilio', 'slack', 'generic-hmac'] as const;
export type WebhookVerifier = (typeof WEBHOOK_VERIFIERS)[number];

export type ProviderStatus = 'Active' | 'Deprecated' | 'Disabled';

/** A vendor the platform can talk to. Built-in providers belong to GLOBAL_TENANT; tenants may add their own. */
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

  @Column({ type: 'varchar', length: 32 })
  authModel: AuthModel;

  @Column({ type: 'varchar', length: 32, nullable: true })
  webhookVerifier: WebhookVerifier | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  defaultBaseUrl: string | null;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status: ProviderStatus;

  @Column({ type: 'boolean', default: false })
  builtIn: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
