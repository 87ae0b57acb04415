import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DistributedLock } from '../../cache/cache.ports';
import { sleep } from '../../messaging/pull-consumer';
import { IntegrationError } from '../../resilience/failure-classifier';
import { SecretStore } from '../../secrets/secret-store';
import type { MintedToken } from '../../vendors/vendor-descriptor';
import type { IntegrationCredential } from '../entities/integration-credential.entity';
import { OAuthToken } from '../entities/oauth-token.entity';
import { IntegrationsOptions } from '../integrations.options';
import { CredentialVault } from './credential-vault';

/** Which token: minted from this credential (and version, while a rotation verifies a candidate), for this purpose. */
export interface SharedTokenKey {
  credential: IntegrationCredential;
  credentialVersion?: string;
  /** What the token is for (a token URL and scopes, an installation): the strategy's own words. */
  purpose: string;
}

const LOCK_TTL_MS = 30_000;
const POLL_MS = 50;

/**
 * Access tokens minted from a credential (OAuth2 grants, app installation tokens), shared by every
 * replica until they expire. The token is a secret version in the secrets port (rows say which version
 * and until when); minting runs under a distributed lock per token, and replicas that lose the race wait
 * for the winner's token instead of minting again.
 */
@Injectable()
export class SharedTokens {
  private readonly logger = new Logger(SharedTokens.name);
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();
  /**
   * The last token the vendor rejected, per token id: a read of the store that began before `forget`
   * finished must not put it back into memory (or hand it out) once forgotten.
   */
  private readonly rejected = new Map<string, string>();

  constructor(
    @InjectRepository(OAuthToken) private readonly tokens: Repository<OAuthToken>,
    private readonly secrets: SecretStore,
    private readonly lock: DistributedLock,
    private readonly options: IntegrationsOptions,
  ) {}

  async token(key: SharedTokenKey, mint: () => Promise<MintedToken>): Promise<string> {
    const id = tokenId(key);
    const tenantId = key.credential.tenantId;
    const fresh = (expiresAt: number) => expiresAt - this.options.oauthRefreshLeewayMs > Date.now();
    const remembered = this.memory.get(id);
    if (remembered && fresh(remembered.expiresAt) && remembered.value !== this.rejected.get(id)) return remembered.value;

    const shared = await this.sharedToken(tenantId, id, fresh);
    if (shared) return shared;

    const deadline = Date.now() + this.options.oauthRefreshWaitMs;
    while (Date.now() < deadline) {
      const lock = await this.lock.acquire(`oauth-refresh:${id}`, LOCK_TTL_MS);
      if (lock) {
        try {
          // Someone may have minted between our read and our lock.
          return (await this.sharedToken(tenantId, id, fresh)) ?? (await this.mintAndStore(key, id, mint));
        } finally {
          await lock.release();
        }
      }
      await sleep(POLL_MS);
      const mintedElsewhere = await this.sharedToken(tenantId, id, fresh);
      if (mintedElsewhere) return mintedElsewhere;
    }
    throw IntegrationError.transient('token_refresh_contention', 'Timed out waiting for another replica to obtain the access token');
  }

  /**
   * Forgets the token the vendor rejected, so the next call gets another: the one a replica renewed
   * meanwhile, else a new one. Only that token is dropped: a replica that still held an older one must
   * not expire the renewal another replica has just stored, and ask for yet another.
   */
  async forget(key: SharedTokenKey, rejectedToken: string): Promise<void> {
    const id = tokenId(key);
    const tenantId = key.credential.tenantId;
    this.rejected.set(id, rejectedToken);
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
    // Forgotten while this read was under way: the row's expiry is being (or has been) moved to the past.
    if (value === this.rejected.get(id)) return undefined;
    this.memory.set(id, { value, expiresAt: row.expiresAt.getTime() });
    return value;
  }

  private async mintAndStore(key: SharedTokenKey, id: string, mint: () => Promise<MintedToken>): Promise<string> {
    const minted = await mint();
    const { credential } = key;
    const secretName = `${CredentialVault.tenantNamespace(credential.tenantId)}oauth-${id}`;
    const stored = await this.secrets.set(secretName, minted.value, { contentType: 'application/jwt' });
    await this.tokens.save(
      this.tokens.create({
        id,
        tenantId: credential.tenantId,
        credentialId: credential.id,
        secretName,
        secretVersion: stored.version,
        expiresAt: new Date(minted.expiresAt),
        refreshedAt: new Date(),
      }),
    );
    this.memory.set(id, { value: minted.value, expiresAt: minted.expiresAt });
    this.logger.log({ msg: 'Access token obtained', credentialId: credential.id, expiresAt: new Date(minted.expiresAt).toISOString() });
    return minted.value;
  }
}

/** Tokens belong to the credential, not to one of its versions, except while a rotation verifies a candidate version. */
function tokenId(key: SharedTokenKey): string {
  return createHash('sha256')
    .update([key.credential.id, key.credentialVersion ?? 'current', key.purpose].join('\n'))
    .digest('hex')
    .slice(0, 32);
}
