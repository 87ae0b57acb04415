import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { EgressClient } from '../../../platform/egress/egress-client';
import { EgressPolicy } from '../../../platform/egress/egress-policy';
import { isoOrNull } from '../../../platform/http/iso-date';
import { refusedUrlAsBadRequest } from '../../../platform/http/refused-url';
import { configurationProblems } from '../../../platform/integrations/connections/connection-configuration';
import { runExchangeTest } from '../../../platform/integrations/governed/governed-fetch';
import { allowedAuthModes, baseUrlOf, connectionAuthMode, ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { CredentialVault } from '../../../platform/integrations/credentials/credential-vault';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import type { AuthStrategy } from '../../../platform/vendors/vendor-descriptor';
import { ConnectionResolver } from '../../../platform/integrations/connections/connection-resolver';
import { ConnectionStatus, ConnectionTestResult, ConnectionWebhookSettings, IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { ingestUrlOf, PublicUrlOptions } from '../../../platform/webhooks/public-url.options';
import { IntegrationCredential } from '../../../platform/integrations/entities/integration-credential.entity';
import { IntegrationProvider } from '../../../platform/integrations/entities/integration-provider.entity';
import { GovernedHttpClient, runOf } from '../../../platform/integrations/governed/governed-http-client';
import { IntegrationEvents } from '../../../platform/integrations/integration-events';
import { GLOBAL_TENANT } from '../../../platform/persistence/columns';
import { parseGenericHmacOptions } from '../../../platform/webhooks/verification/generic-hmac.verifier';
import { newId } from '../../../platform/persistence/ids';
import { classifyError, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { VendorRegistryOptions } from '../vendor-api-client-registry.options';
import { CreateConnectionDto, ListConnectionsQuery } from './connection.dto';
import { EVENTS } from '../../../platform/messaging/contracts';

export interface ConnectionView {
  id: string;
  tenantId: string;
  projectId: string | null;
  providerId: string;
  displayName: string;
  authMode: string;
  credentialId: string | null;
  /** With `url`, the address to paste into the vendor's webhook settings (null until PUBLIC_BASE_URL is set). */
  webhook: (ConnectionWebhookSettings & { url: string | null }) | null;
  status: ConnectionStatus;
  health: IntegrationConnection['health'];
  configuration: Record<string, unknown>;
  rateLimitBudget: IntegrationConnection['rateLimitBudget'];
  retryPolicy: IntegrationConnection['retryPolicy'];
  lastTest: ConnectionTestResult | null;
  lastCheckedAt: string | null;
  establishedAt: string | null;
  retiredAt: string | null;
  createdAt: string;
}

/**
 * EstablishIntegrationConnection: a connection is created Pending, its credential resolved, its
 * provider's test run through the governed pipeline, and only a passing test makes it Active
 * (IntegrationConnectionEstablished). A failed test leaves it Pending with the failure on record.
 */
@Injectable()
export class ConnectionsService {
  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    @InjectRepository(IntegrationProvider) private readonly providers: Repository<IntegrationProvider>,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    private readonly resolver: ConnectionResolver,
    private readonly governed: GovernedHttpClient,
    private readonly egress: EgressClient,
    private readonly egressPolicy: EgressPolicy,
    private readonly events: IntegrationEvents,
    private readonly options: VendorRegistryOptions,
    private readonly tenant: TenantContext,
    private readonly catalogue: VendorCatalogue,
    private readonly vault: CredentialVault,
    private readonly publicUrl: PublicUrlOptions,
  ) {}

  async create(request: CreateConnectionDto): Promise<ConnectionView> {
    const tenantId = this.tenant.tenantId;
    const provider = await this.visibleProvider(request.providerId);
    if (provider.status === 'Disabled') throw new BadRequestException(`Provider ${provider.id} is disabled`);
    const configuration = request.configuration ?? {};
    const authMode = connectionAuthMode({ configuration }, provider);
    const strategy = this.catalogue.authStrategy(authMode);
    const problems = [
      ...configurationProblems(configuration, allowedAuthModes(provider, this.catalogue)),
      ...(strategy?.configurationProblems?.(configuration) ?? []),
      ...(this.catalogue.http(provider.id).configurationProblems?.(configuration, authMode) ?? []),
    ];
    if (!strategy) problems.push(`provider ${provider.id} uses auth mode ${authMode}, which this platform does not provide`);
    if (problems.length > 0) throw new BadRequestException(problems.join('; '));
    await this.checkCredential(request.credentialId, strategy!, request.webhook !== undefined);
    if (request.webhook) {
      await this.checkWebhookSecret(request.webhook.secretCredentialId);
      this.checkVerifierOptions(provider, request.webhook.verifierOptions);
    }
    for (const url of [configuration.baseUrl, configuration.tokenUrl]) {
      if (typeof url === 'string') await refusedUrlAsBadRequest(() => this.egress.assertDestinationAllowed(url));
    }
    if (configuration.baseUrl === undefined) await this.checkInheritedBaseUrl(provider);

    const connection = this.connections.create({
      id: newId('conn'),
      tenantId,
      projectId: request.projectId ?? null,
      providerId: provider.id,
      displayName: request.displayName,
      authMode,
      credentialId: request.credentialId ?? null,
      webhook: request.webhook ? { ...request.webhook } : null,
      status: 'Pending',
      health: 'Unknown',
      configuration,
      rateLimitBudget: request.rateLimitBudget ? { ...request.rateLimitBudget } : null,
      retryPolicy: request.retryPolicy ? { ...request.retryPolicy, retryOn: request.retryPolicy.retryOn ?? ['Transient', 'RateLimited'] } : null,
      lastCheckedAt: null,
      establishedAt: null,
      retiredAt: null,
      consecutiveProbeFailures: 0,
      lastTest: null,
    });
    await this.connections.save(connection);
    return this.runTest(connection.id);
  }

  async list(query: ListConnectionsQuery): Promise<ConnectionView[]> {
    const rows = await this.connections.find({
      where: { tenantId: this.tenant.tenantId, ...(query.status ? { status: query.status } : {}), ...(query.providerId ? { providerId: query.providerId } : {}) },
      order: { createdAt: 'DESC' },
      take: 500,
    });
    return rows.map((row) => this.view(row));
  }

  async get(id: string): Promise<ConnectionView> {
    return this.view(await this.find(id));
  }

  /** Runs the provider's test (for an inbound-only connection: its webhook secret resolves); a Pending (or Degraded) connection that passes becomes Active. */
  async runTest(id: string): Promise<ConnectionView> {
    const tenantId = this.tenant.tenantId;
    const connection = await this.find(id);
    if (connection.status === 'Retired') throw new ConflictException(`Connection ${id} is retired`);
    const profile = await this.resolver.resolve(tenantId, id, { fresh: true });
    const result = profile.inboundOnly ? await this.testWebhookSecret(profile) : await this.testOnce(profile);
    const now = new Date();
    const activate = result.passed && connection.status !== 'Active';
    await this.connections.update(
      { tenantId, id, status: In(['Pending', 'Active', 'Degraded']) },
      {
        lastTest: result,
        lastCheckedAt: now,
        // An inbound-only connection's health comes from its verified traffic, not from a test.
        ...(result.passed ? { status: 'Active', ...(profile.inboundOnly ? {} : { health: 'Healthy' as const }), consecutiveProbeFailures: 0 } : {}),
        ...(activate && !connection.establishedAt ? { establishedAt: now } : {}),
      },
    );
    this.resolver.invalidate(tenantId, id);
    const updated = await this.find(id);
    if (activate && !connection.establishedAt) {
      await this.events.publishAfterCommit(
        'IntegrationConnectionEstablished',
        {
          connectionId: id,
          providerId: updated.providerId,
          projectId: updated.projectId,
          displayName: updated.displayName,
          establishedAt: now.toISOString(),
          testRunId: result.runId,
        },
        { tenantId, subject: id },
      );
    }
    return this.view(updated);
  }

  async retire(id: string): Promise<ConnectionView> {
    const tenantId = this.tenant.tenantId;
    const connection = await this.find(id);
    if (connection.status === 'Retired') return this.view(connection);
    const retiredAt = new Date();
    const result = await this.connections.update({ tenantId, id, status: In(['Pending', 'Active', 'Degraded']) }, { status: 'Retired', retiredAt });
    this.resolver.invalidate(tenantId, id);
    if (result.affected === 1) {
      await this.events.publishAfterCommit(
        EVENTS.IntegrationConnectionRetired,
        { connectionId: id, providerId: connection.providerId, retiredAt: retiredAt.toISOString() },
        { tenantId, subject: id },
      );
    }
    return this.view(await this.find(id));
  }

  /** An inbound-only connection calls no vendor: it is ready once the secret its webhooks are verified with resolves. */
  private async testWebhookSecret(profile: ConnectionProfile): Promise<ConnectionTestResult> {
    const at = new Date().toISOString();
    const secretCredentialId = profile.connection.webhook!.secretCredentialId;
    const credential = await this.credentials.findOneBy({ tenantId: profile.connection.tenantId, id: secretCredentialId });
    if (!credential || credential.status !== 'Active') {
      return {
        passed: false,
        at,
        runId: null,
        category: 'Auth',
        code: 'webhook_secret_unavailable',
        message: `The webhook secret credential ${secretCredentialId} is missing or disabled`,
      };
    }
    try {
      const secrets = await this.vault.acceptedValues(credential);
      if (secrets.length > 0) return { passed: true, at, runId: null, message: 'Inbound-only: the webhook secret resolves' };
    } catch (error) {
      const failure = classifyError(error);
      return { passed: false, at, runId: null, category: failure.category, code: 'webhook_secret_unavailable', message: 'The webhook secret does not resolve in the secret store' };
    }
    return { passed: false, at, runId: null, category: 'Auth', code: 'webhook_secret_unavailable', message: 'The webhook secret has no usable version' };
  }

  private async testOnce(profile: ConnectionProfile): Promise<ConnectionTestResult> {
    const at = new Date().toISOString();
    if (profile.vendor.connectionTest) {
      const outcome = await runExchangeTest(this.governed, profile, this.options.connectionTestTimeoutMs);
      const last = outcome.lastExchange;
      if (outcome.passed) return { passed: true, at, runId: last?.runId ?? null, status: last?.status ?? undefined };
      return {
        passed: false,
        at,
        runId: last?.runId ?? null,
        status: last?.status ?? undefined,
        category: outcome.failure?.category,
        code: outcome.failure?.code,
        message: outcome.failure?.message,
      };
    }
    try {
      const response = await this.governed.test(profile, { timeoutMs: this.options.connectionTestTimeoutMs });
      const passed = response.failure === undefined && response.status >= 200 && response.status < 300;
      if (passed) return { passed, at, runId: response.run.id, status: response.status };
      return {
        passed,
        at,
        runId: response.run.id,
        status: response.status,
        category: response.run.failureCategory ?? undefined,
        code: response.run.failureCode ?? undefined,
        message: `The test call answered HTTP ${response.status}`,
      };
    } catch (error) {
      const failure = classifyError(error);
      return {
        passed: false,
        at,
        runId: runOf(error)?.id ?? null,
        category: failure.category,
        code: failure.code,
        message: error instanceof IntegrationError ? error.message : `The test call failed: ${failure.code}`,
      };
    }
  }

  private async find(id: string): Promise<IntegrationConnection> {
    const connection = await this.connections.findOneBy({ tenantId: this.tenant.tenantId, id });
    if (!connection) throw new NotFoundException(`Connection ${id} not found`);
    return connection;
  }

  private async visibleProvider(id: string): Promise<IntegrationProvider> {
    const rows = await this.providers.findBy({ id, tenantId: In([this.tenant.tenantId, GLOBAL_TENANT]) });
    const provider = rows.find((row) => row.tenantId !== GLOBAL_TENANT) ?? rows[0];
    if (!provider) throw new BadRequestException(`Provider ${id} does not exist`);
    return provider;
  }

  /** The API credential: required by the auth mode, unless the connection only receives webhooks (inbound-only). */
  private async checkCredential(credentialId: string | undefined, strategy: AuthStrategy, receivesWebhooks: boolean): Promise<void> {
    if (!credentialId) {
      if (strategy.needsCredential && !receivesWebhooks) {
        throw new BadRequestException(`auth ${strategy.mode} needs a credentialId (a connection that only receives webhooks needs webhook settings instead)`);
      }
      return;
    }
    const credential = await this.activeCredential(credentialId);
    const kinds = strategy.credentialKinds;
    if (kinds && !kinds.includes(credential.kind)) throw new BadRequestException(`auth ${strategy.mode} needs a credential of kind ${kinds.join(' or ')}`);
  }

  private async checkWebhookSecret(credentialId: string): Promise<void> {
    await this.activeCredential(credentialId);
  }

  private async activeCredential(credentialId: string): Promise<IntegrationCredential> {
    const credential = await this.credentials.findOneBy({ tenantId: this.tenant.tenantId, id: credentialId });
    if (!credential) throw new BadRequestException(`Credential ${credentialId} not found`);
    if (credential.status !== 'Active') throw new BadRequestException(`Credential ${credentialId} is disabled`);
    return credential;
  }

  /**
   * The provider's (or its client's) base URL, when the connection sets none: one stored before base URLs
   * were checked at registration may not even parse. Its host is resolved and checked at send time.
   */
  private async checkInheritedBaseUrl(provider: IntegrationProvider): Promise<void> {
    const client = await this.resolver.currentClient(this.tenant.tenantId, provider.id);
    const baseUrl = baseUrlOf({ connection: { configuration: {} }, client, provider });
    if (baseUrl) await refusedUrlAsBadRequest(() => this.egressPolicy.parseUrl(baseUrl));
  }

  /** generic-hmac is configured per connection: a setting it cannot use is the caller's mistake, told now rather than at the first webhook. */
  private checkVerifierOptions(provider: IntegrationProvider, options: Record<string, string> | undefined): void {
    if (provider.webhookVerifier !== 'generic-hmac') return;
    if (options !== undefined && Object.values(options).some((value) => typeof value !== 'string')) {
      throw new BadRequestException('webhook.verifierOptions values must be strings');
    }
    try {
      parseGenericHmacOptions(options ?? {});
    } catch (error) {
      throw new BadRequestException(`webhook.verifierOptions: ${(error as Error).message.replace(/^generic-hmac: /, '')}`);
    }
  }

  private view(row: IntegrationConnection): ConnectionView {
    return toView(row, this.publicUrl.publicBaseUrl);
  }
}

function toView(row: IntegrationConnection, publicBaseUrl: string | undefined): ConnectionView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    projectId: row.projectId,
    providerId: row.providerId,
    displayName: row.displayName,
    authMode: row.authMode,
    credentialId: row.credentialId,
    webhook: row.webhook ? { ...row.webhook, url: publicBaseUrl ? ingestUrlOf(publicBaseUrl, row.id) : null } : null,
    status: row.status,
    health: row.health,
    configuration: row.configuration,
    rateLimitBudget: row.rateLimitBudget,
    retryPolicy: row.retryPolicy,
    lastTest: row.lastTest,
    lastCheckedAt: isoOrNull(row.lastCheckedAt),
    establishedAt: isoOrNull(row.establishedAt),
    retiredAt: isoOrNull(row.retiredAt),
    createdAt: row.createdAt.toISOString(),
  };
}
