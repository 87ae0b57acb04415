import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DistributedLock } from '../../cache/cache.ports';
import { EgressClient } from '../../egress/egress-client';
import { sleep } from '../../messaging/pull-consumer';
import { classifyStatus, IntegrationError } from '../../resilience/failure-classifier';
import { SecretStore } from '../../secrets/secret-store';
import type { TokenAuthMethod } from '../connections/connection-configuration';
import { IntegrationCredential } from '../entities/integration-credential.entity';
import { OAuthToken } from '../entities/oauth-token.entity';
import { IntegrationsOptions } from '../integrations.options';
import { CredentialVault } from './credential-vault';

export interface OAuthGrant {
  credential: IntegrationCredential;
  /** The credential version holding the client secret / refresh token (a rotation verifies a candidate version). */
  credentialVersion?: string;
  grantType: 'client_credentials' | 'refresh_token';
  tokenUrl: string;
  scopes: readonly string[];
  tokenAuthMethod: TokenAuthMethod;
}

interface ClientSecrets {
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
}

/** Raised when the token endpoint refuses the client or the grant: the credential needs attention. */
export class OAuthRefreshError extends IntegrationError {}

const LOCK_TTL_MS = 30_000;
const POLL_MS = 50;
const DEFAULT_LIFETIME_S = 3600;

/**
 * OAuth2 access tokens for connections, refreshed before they expire. The token is a secret version in
 * the secrets port (rows say which version and until when), so every replica shares it; a refresh runs
 * under a distributed lock per token, and replicas that lose the race wait for the winner's token
 * instead of refreshing again.
 */
@Injectable()
export class OAuthTokenProvider {
  private readonly logger = new Logger(OAuthTokenProvider.name);
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    @InjectRepository(OAuthToken) private readonly tokens: Repository<OAuthToken>,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    private readonly secrets: SecretStore,
    private readonly vault: CredentialVault,
    private readonly lock: DistributedLock,
    private readonly egress: EgressClient,
    private readonly options: IntegrationsOptions,
  ) {}

  async accessToken(grant: OAuthGrant): Promise<string> {
    const id = tokenId(grant);
    const fresh = (expiresAt: number) => expiresAt - this.options.oauthRefreshLeewayMs > Date.now();
    const remembered = this.memory.get(id);
    if (remembered && fresh(remembered.expiresAt)) return remembered.value;

    const shared = await this.sharedToken(grant.credential.tenantId, id, fresh);
    if (shared) return shared;

    const deadline = Date.now() + this.options.oauthRefreshWaitMs;
    while (Date.now() < deadline) {
      const lock = await this.lock.acquire(`oauth-refresh:${id}`, LOCK_TTL_MS);
      if (lock) {
        try {
          // Someone may have refreshed between our read and our lock.
          return (await this.sharedToken(grant.credential.tenantId, id, fresh)) ?? (await this.refresh(grant, id));
        } finally {
          await lock.release();
        }
      }
      await sleep(POLL_MS);
      const refreshedElsewhere = await this.sharedToken(grant.credential.tenantId, id, fresh);
      if (refreshedElsewhere) return refreshedElsewhere;
    }
    throw IntegrationError.transient('token_refresh_contention', 'Timed out waiting for another replica to refresh the OAuth2 token');
  }

  /**
   * Forgets the token the vendor rejected, so the next call gets another: the one a replica renewed
   * meanwhile, else a new grant. Only that token is dropped: a replica that still held an older one must
   * not expire the renewal another replica has just stored, and ask for yet another.
   */
  async invalidate(grant: OAuthGrant, rejectedToken: string): Promise<void> {
    const id = tokenId(grant);
    const tenantId = grant.credential.tenantId;
    if (this.memory.get(id)?.value === rejectedToken) this.memory.delete(id);
    const row = await this.tokens.findOneBy({ tenantId, id });
    if (!row) return;
    const current = await this.storedValue(row);
    // A renewal stored meanwhile stays; the rejected token (or one the store lost) goes.
    if (current !== undefined && current !== rejectedToken) return;
    await this.tokens.update({ tenantId, id, secretVersion: row.secretVersion }, { expiresAt: new Date(0) });
  }

  /** The token a row points to; undefined when the secret store no longer has it. */
  private async storedValue(row: OAuthToken): Promise<string | undefined> {
    try {
      return (await this.secrets.get(row.secretName, row.secretVersion)).value;
    } catch {
      return undefined;
    }
  }

  private async sharedToken(tenantId: string, id: string, fresh: (expiresAt: number) => boolean): Promise<string | undefined> {
    const row = await this.tokens.findOneBy({ tenantId, id });
    if (!row || !fresh(row.expiresAt.getTime())) return undefined;
    const value = (await this.secrets.get(row.secretName, row.secretVersion)).value;
    this.memory.set(id, { value, expiresAt: row.expiresAt.getTime() });
    return value;
  }

  private async refresh(grant: OAuthGrant, id: string): Promise<string> {
    const secrets = parseClientSecrets(await this.vault.read(grant.credential, grant.credentialVersion ?? grant.credential.secretVersion));
    const form = new URLSearchParams({ grant_type: grant.grantType });
    if (grant.grantType === 'refresh_token') {
      if (!secrets.refreshToken) throw new OAuthRefreshError('Auth', 'oauth_refresh_token_missing', 'The credential holds no refreshToken');
      form.set('refresh_token', secrets.refreshToken);
    }
    if (grant.scopes.length > 0) form.set('scope', grant.scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (grant.tokenAuthMethod === 'client_secret_basic' && secrets.clientSecret !== undefined) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(secrets.clientId)}:${formEncode(secrets.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', secrets.clientId);
      if (secrets.clientSecret !== undefined) form.set('client_secret', secrets.clientSecret);
    }

    const requestedAt = Date.now();
    const response = await this.egress.request({ url: grant.tokenUrl, method: 'POST', headers, body: form.toString(), maxResponseBytes: 64 * 1024 });
    if (response.status < 200 || response.status >= 300) {
      const classification = classifyStatus(response.status, response.headers);
      const oauthError = oauthErrorCode(response.body);
      if (classification.category === 'Auth' || classification.category === 'Validation') {
        throw new OAuthRefreshError('Auth', 'oauth_refresh_failed', `The token endpoint refused the ${grant.grantType} grant (HTTP ${response.status}${oauthError ? `, ${oauthError}` : ''})`);
      }
      throw new IntegrationError(classification.category, `oauth_${classification.code}`, `The token endpoint answered HTTP ${response.status}`, { retryAfterMs: classification.retryAfterMs });
    }
    const answer = parseTokenResponse(response.body);
    const expiresAt = requestedAt + (answer.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    const secretName = `${CredentialVault.tenantNamespace(grant.credential.tenantId)}oauth-${id}`;
    const stored = await this.secrets.set(secretName, answer.access_token, { contentType: 'application/jwt' });
    await this.tokens.save(
      this.tokens.create({ id, tenantId: grant.credential.tenantId, credentialId: grant.credential.id, secretName, secretVersion: stored.version, expiresAt: new Date(expiresAt), refreshedAt: new Date() }),
    );
    if (answer.refresh_token && answer.refresh_token !== secrets.refreshToken) {
      // A rotating refresh token: the old one is spent, so the credential moves to a version holding the new one.
      const stored = await this.vault.store(grant.credential.secretRef, JSON.stringify({ ...secrets, refreshToken: answer.refresh_token }));
      await this.credentials.update(
        { tenantId: grant.credential.tenantId, id: grant.credential.id },
        { secretVersion: stored.version, fingerprint: stored.fingerprint, previousSecretVersion: grant.credential.secretVersion, previousVersionValidUntil: null },
      );
      grant.credential.secretVersion = stored.version;
      this.logger.log({ msg: 'OAuth2 refresh token rotated by the vendor; stored as a new credential version', credentialId: grant.credential.id });
    }
    this.memory.set(id, { value: answer.access_token, expiresAt });
    this.logger.log({ msg: 'OAuth2 access token obtained', credentialId: grant.credential.id, grant: grant.grantType, expiresAt: new Date(expiresAt).toISOString() });
    return answer.access_token;
  }
}

/** Tokens belong to the credential, not to one of its versions, except while a rotation verifies a candidate version. */
function tokenId(grant: OAuthGrant): string {
  const version = grant.credentialVersion ?? 'current';
  return createHash('sha256').update([grant.credential.id, version, grant.grantType, grant.tokenUrl, [...grant.scopes].sort().join(' ')].join('\n')).digest('hex').slice(0, 32);
}

/** `oauth2-client`: `{clientId, clientSecret}`; `oauth2-refresh-token`: `{clientId, clientSecret?, refreshToken}`. */
export function parseClientSecrets(value: string): ClientSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new OAuthRefreshError('Validation', 'oauth_credential_malformed', 'An OAuth2 credential must hold JSON {clientId, clientSecret?, refreshToken?}');
  }
  const candidate = parsed as Partial<ClientSecrets>;
  if (typeof candidate?.clientId !== 'string' || (candidate.clientSecret !== undefined && typeof candidate.clientSecret !== 'string') || (candidate.refreshToken !== undefined && typeof candidate.refreshToken !== 'string')) {
    throw new OAuthRefreshError('Validation', 'oauth_credential_malformed', 'An OAuth2 credential must hold JSON {clientId, clientSecret?, refreshToken?}');
  }
  return { clientId: candidate.clientId, clientSecret: candidate.clientSecret, refreshToken: candidate.refreshToken };
}

function parseTokenResponse(body: Buffer): { access_token: string; expires_in?: number; refresh_token?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    if (typeof parsed.access_token === 'string' && parsed.access_token.length > 0) {
      const expiresIn = Number(parsed.expires_in);
      return {
        access_token: parsed.access_token,
        expires_in: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
        refresh_token: typeof parsed.refresh_token === 'string' ? parsed.refresh_token : undefined,
      };
    }
  } catch {
    // fall through
  }
  throw IntegrationError.poison('oauth_malformed_token_response', 'The token endpoint answered without a usable access_token');
}

/** RFC 6749 §5.2 `error` code; only a short known token is echoed, never a description. */
function oauthErrorCode(body: Buffer): string | undefined {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
