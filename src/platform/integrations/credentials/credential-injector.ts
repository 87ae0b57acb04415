import { Injectable } from '@nestjs/common';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { ConnectionProfile } from '../connections/connection-profile';
import { CredentialVault } from './credential-vault';
import { OAuthGrant, OAuthTokenProvider } from './oauth-token-provider';

/**
 * Turns a connection's credential into request headers, per its auth mode. The only place a credential
 * value meets a request; callers never supply auth headers themselves.
 */
@Injectable()
export class CredentialInjector {
  constructor(
    private readonly vault: CredentialVault,
    private readonly oauth: OAuthTokenProvider,
  ) {}

  async headers(profile: ConnectionProfile, credentialVersion?: string): Promise<Record<string, string>> {
    if (profile.auth === 'none') return {};
    const credential = profile.credential;
    if (!credential) throw IntegrationError.auth('credential_missing', `Connection ${profile.connection.id} has no credential for auth ${profile.auth}`);
    if (credential.status !== 'Active') throw IntegrationError.auth('credential_disabled', `Credential ${credential.id} is disabled`);
    switch (profile.auth) {
      case 'bearer':
        return { authorization: `Bearer ${await this.vault.read(credential, credentialVersion)}` };
      case 'api-key':
        return { [profile.apiKeyHeader.toLowerCase()]: await this.vault.read(credential, credentialVersion) };
      case 'basic':
        return { authorization: `Basic ${Buffer.from(await this.vault.read(credential, credentialVersion)).toString('base64')}` };
      case 'oauth2-client-credentials':
      case 'oauth2-refresh-token':
        return { authorization: `Bearer ${await this.oauth.accessToken(this.grant(profile, credentialVersion))}` };
    }
  }

  usesOAuth(profile: ConnectionProfile): boolean {
    return profile.auth === 'oauth2-client-credentials' || profile.auth === 'oauth2-refresh-token';
  }

  /** The vendor rejected the access token `sent` carried before its stated expiry: drop it so the next call gets another. */
  async invalidateToken(profile: ConnectionProfile, sent: Record<string, string>, credentialVersion?: string): Promise<void> {
    const token = /^Bearer (.+)$/.exec(sent.authorization ?? '')?.[1];
    if (this.usesOAuth(profile) && profile.credential && token) await this.oauth.invalidate(this.grant(profile, credentialVersion), token);
  }

  private grant(profile: ConnectionProfile, credentialVersion?: string): OAuthGrant {
    if (!profile.tokenUrl) throw IntegrationError.validation('token_url_missing', `Connection ${profile.connection.id} has no configuration.tokenUrl`);
    return {
      credential: profile.credential!,
      credentialVersion,
      grantType: profile.auth === 'oauth2-refresh-token' ? 'refresh_token' : 'client_credentials',
      tokenUrl: profile.tokenUrl,
      scopes: profile.scopes,
      tokenAuthMethod: profile.tokenAuthMethod,
    };
  }
}
