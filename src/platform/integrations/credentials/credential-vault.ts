import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretNotFoundError, SecretStore } from '../../secrets/secret-store';
import type { IntegrationCredential } from '../entities/integration-credential.entity';

const FINGERPRINT_KEY_SECRET = 'platform-credential-fingerprint-key';

/**
 * Credential values in the secrets port, addressed by (name, version): storing, reading, fingerprinting.
 * Every secret a tenant owns lives in the tenant's namespace (`t-<digest>-…`), which is also the only
 * place a tenant may bind an existing secret from: one tenant can never bind another's secret.
 */
@Injectable()
export class CredentialVault {
  private fingerprintKey?: Promise<Buffer>;

  constructor(private readonly secrets: SecretStore) {}

  static tenantNamespace(tenantId: string): string {
    return `t-${createHash('sha256').update(tenantId).digest('hex').slice(0, 16)}-`;
  }

  static secretNameFor(tenantId: string, credentialId: string): string {
    return `${CredentialVault.tenantNamespace(tenantId)}${credentialId}`;
  }

  async store(secretName: string, value: string): Promise<{ version: string; fingerprint: string }> {
    const stored = await this.secrets.set(secretName, value, { contentType: 'text/plain' });
    return { version: stored.version, fingerprint: await this.fingerprint(value) };
  }

  /** The version of an existing secret to bind: the one named, or the latest enabled one. Throws SecretNotFoundError. */
  async bind(secretName: string, version?: string): Promise<{ version: string; fingerprint: string }> {
    const secret = await this.secrets.get(secretName, version);
    return { version: secret.version, fingerprint: await this.fingerprint(secret.value) };
  }

  async read(credential: Pick<IntegrationCredential, 'secretRef' | 'secretVersion'>, version = credential.secretVersion): Promise<string> {
    return (await this.secrets.get(credential.secretRef, version)).value;
  }

  /** The latest enabled version of the credential's secret, when it is newer than the current one (a rotation done in the vault). */
  async newerVersion(credential: Pick<IntegrationCredential, 'secretRef' | 'secretVersion'>): Promise<string | undefined> {
    const latest = await this.secrets.get(credential.secretRef);
    return latest.version === credential.secretVersion ? undefined : latest.version;
  }

  async disable(secretName: string, version: string): Promise<void> {
    await this.secrets.disableVersion(secretName, version);
  }

  /**
   * Every value that verifies right now: the current one, and the previous one while its overlap window
   * lasts (webhook secrets during a rotation). Newest first.
   */
  async acceptedValues(credential: IntegrationCredential, now = Date.now()): Promise<string[]> {
    const values = [await this.read(credential)];
    const previousValid = credential.previousSecretVersion && credential.previousVersionValidUntil && credential.previousVersionValidUntil.getTime() > now;
    if (previousValid) values.push(await this.read(credential, credential.previousSecretVersion!));
    return values;
  }

  /**
   * `sha256:` + HMAC-SHA256 of the value under a platform key that itself lives in the secrets port, so a
   * fingerprint identifies a value (did it change? is it the one in the vault?) without allowing a
   * dictionary attack on weak values.
   */
  async fingerprint(value: string): Promise<string> {
    const key = await (this.fingerprintKey ??= this.loadFingerprintKey().catch((error) => {
      this.fingerprintKey = undefined;
      throw error;
    }));
    return `sha256:${createHmac('sha256', key).update(value).digest('hex')}`;
  }

  private async loadFingerprintKey(): Promise<Buffer> {
    try {
      return await this.oldestFingerprintKey();
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
      await this.secrets.set(FINGERPRINT_KEY_SECRET, randomBytes(32).toString('base64'), { contentType: 'application/octet-stream' });
      // Two replicas may have created it at once: both settle on the oldest version.
      return this.oldestFingerprintKey();
    }
  }

  private async oldestFingerprintKey(): Promise<Buffer> {
    const versions = (await this.secrets.listVersions(FINGERPRINT_KEY_SECRET)).filter((version) => version.enabled);
    if (versions.length === 0) throw new SecretNotFoundError(FINGERPRINT_KEY_SECRET);
    const oldest = versions.reduce((a, b) => (b.createdAt.getTime() < a.createdAt.getTime() || (b.createdAt.getTime() === a.createdAt.getTime() && b.version < a.version) ? b : a));
    return Buffer.from((await this.secrets.get(FINGERPRINT_KEY_SECRET, oldest.version)).value, 'base64');
  }
}
