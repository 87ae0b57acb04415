import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AzureCredentials } from '../../azure/azure-credentials';
import { EgressClient } from '../../egress/egress-client';
import { IntegrationError } from '../../resilience/failure-classifier';
import { VendorCatalogue } from '../../vendors/vendor-catalogue';
import type { AuthContext, AuthStrategy, SignableRequest } from '../../vendors/vendor-descriptor';
import type { ConnectionProfile } from '../connections/connection-profile';
import { IntegrationCredential } from '../entities/integration-credential.entity';
import { resolveVendorUrl } from '../governed/governed-request';
import { CredentialVault } from './credential-vault';
import { SharedTokens } from './shared-tokens';

/**
 * Turns a connection's credential into request headers through its auth mode's strategy (built-in or a
 * vendor descriptor's). The only place a credential value meets a request; callers never supply auth
 * headers themselves.
 */
@Injectable()
export class CredentialInjector {
  private readonly logger = new Logger(CredentialInjector.name);

  constructor(
    private readonly catalogue: VendorCatalogue,
    private readonly vault: CredentialVault,
    private readonly tokens: SharedTokens,
    private readonly egress: EgressClient,
    private readonly azure: AzureCredentials,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
  ) {}

  strategyOf(profile: Pick<ConnectionProfile, 'auth' | 'connection'>): AuthStrategy {
    const strategy = this.catalogue.authStrategy(profile.auth);
    if (!strategy)
      throw IntegrationError.validation('auth_mode_unknown', `Connection ${profile.connection.id} uses auth mode ${profile.auth}, which this platform does not provide`);
    return strategy;
  }

  /** The headers that authenticate `request` (a signing strategy covers it; the others ignore it). */
  async headers(profile: ConnectionProfile, credentialVersion?: string, request?: SignableRequest): Promise<Record<string, string>> {
    const strategy = this.strategyOf(profile);
    if (strategy.needsCredential) {
      const credential = profile.credential;
      if (!credential) throw IntegrationError.auth('credential_missing', `Connection ${profile.connection.id} has no credential for auth ${profile.auth}`);
      if (credential.status !== 'Active') throw IntegrationError.auth('credential_disabled', `Credential ${credential.id} is disabled`);
    }
    return strategy.headers(this.context(profile, credentialVersion, request));
  }

  /**
   * The credential's value itself, for a protocol that authenticates inside its own exchange (SMTP AUTH)
   * rather than with request headers. Undefined when the connection's auth mode needs no credential.
   */
  async secret(profile: ConnectionProfile, credentialVersion?: string): Promise<string | undefined> {
    if (!this.strategyOf(profile).needsCredential) return undefined;
    const credential = profile.credential;
    if (!credential) throw IntegrationError.auth('credential_missing', `Connection ${profile.connection.id} has no credential for auth ${profile.auth}`);
    if (credential.status !== 'Active') throw IntegrationError.auth('credential_disabled', `Credential ${credential.id} is disabled`);
    return this.vault.read(credential, credentialVersion);
  }

  /** The vendor refused what `sent` carried: whether the strategy renewed something worth one re-send. */
  async rejected(profile: ConnectionProfile, sent: Record<string, string>, credentialVersion?: string): Promise<boolean> {
    const strategy = this.strategyOf(profile);
    return strategy.rejected ? strategy.rejected(this.context(profile, credentialVersion), sent) : false;
  }

  private context(profile: ConnectionProfile, credentialVersion: string | undefined, request?: SignableRequest): AuthContext {
    const { connection, credential } = profile;
    const requireCredential = (): IntegrationCredential => {
      if (!credential) throw IntegrationError.auth('credential_missing', `Connection ${connection.id} has no credential for auth ${profile.auth}`);
      return credential;
    };
    const tokenKey = (purpose: string) => ({ credential: requireCredential(), credentialVersion, purpose });
    return {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      providerId: profile.provider.id,
      configuration: connection.configuration,
      baseUrl: profile.baseUrl,
      apiKeyHeader: profile.apiKeyHeader,
      credentialId: connection.credentialId,
      secret: () => this.vault.read(requireCredential(), credentialVersion),
      sharedToken: (purpose, mint) => this.tokens.token(tokenKey(purpose), mint),
      forgetSharedToken: (purpose, rejected) => this.tokens.forget(tokenKey(purpose), rejected),
      replaceSecret: (value) => this.replaceSecret(requireCredential(), value),
      exchange: (request) => this.egress.request(request),
      vendorUrl: (path) => {
        if (!profile.baseUrl) throw IntegrationError.validation('base_url_missing', `Connection ${connection.id} has no base URL: set configuration.baseUrl`);
        return resolveVendorUrl(profile.baseUrl, { path });
      },
      ...(request ? { request } : {}),
      azureToken: async (scope) => {
        const token = await (await this.azure.get()).getToken(scope);
        if (!token) throw IntegrationError.auth('azure_token_unavailable', 'The Azure credential gave no token');
        return token.token;
      },
    };
  }

  /** A vendor that rotated the secret on use (a refresh token): the credential moves to a version holding the new value. */
  private async replaceSecret(credential: IntegrationCredential, value: string): Promise<void> {
    const stored = await this.vault.store(credential.secretRef, value);
    await this.credentials.update(
      { tenantId: credential.tenantId, id: credential.id },
      { secretVersion: stored.version, fingerprint: stored.fingerprint, previousSecretVersion: credential.secretVersion, previousVersionValidUntil: null },
    );
    credential.secretVersion = stored.version;
    this.logger.log({ msg: 'Credential rotated by the vendor on use; stored as a new version', credentialId: credential.id });
  }
}
