import type { TokenCredential } from '@azure/identity';
import { SecretClient, SecretClientOptions, SecretProperties } from '@azure/keyvault-secrets';
import { Logger } from '@nestjs/common';
import { assertSecretName, SECRET_VERSION, SecretNotFoundError, SecretStore, SecretValue, SecretVersionDisabledError, SecretVersionInfo, SetSecretOptions } from './secret-store';
import { SecretsOptions } from './secrets.options';

const PING_TIMEOUT_MS = 5_000;

/**
 * A Key Vault call that failed for a reason the port has no error for (authorization, throttling, network).
 * Deliberately carries no `cause`: the SDK's RestError holds the request, whose body is the secret value.
 */
export class KeyVaultRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly secretName: string | undefined,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    detail: string,
  ) {
    const status = statusCode ? ` (${[statusCode, code].filter(Boolean).join(' ')})` : '';
    super(`Key Vault ${operation}${secretName ? ` of secret ${secretName}` : ''} failed${status}: ${detail}`);
    this.name = 'KeyVaultRequestError';
  }
}

interface KeyVaultRestError extends Error {
  statusCode?: number;
  code?: string;
  details?: { error?: { code?: string; innerError?: { code?: string } } };
}

/**
 * Azure Key Vault behind the secrets port, authenticated by DefaultAzureCredential (managed or workload
 * identity in Azure; AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET elsewhere).
 *
 * Key Vault answers 403 for a read of the latest version when that version is disabled; the port promises
 * the newest enabled version instead, found from the version list. Key Vault's `created` timestamps have
 * one-second resolution, so versions created within the same second have no defined order among themselves.
 */
export class KeyVaultSecretStore extends SecretStore {
  private readonly logger = new Logger(KeyVaultSecretStore.name);
  private readonly client: SecretClient;

  /** `clientOptions` is for tests only (a loopback vault needs `disableChallengeResourceVerification`). */
  constructor(options: SecretsOptions, credential: TokenCredential, clientOptions: SecretClientOptions = {}) {
    super();
    if (!options.keyVaultUrl) throw new Error('KeyVaultSecretStore needs KEYVAULT_URL');
    this.client = new SecretClient(options.keyVaultUrl, credential, clientOptions);
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    assertSecretName(name);
    if (version !== undefined && !SECRET_VERSION.test(version)) throw new SecretNotFoundError(name, version);
    try {
      const secret = await this.client.getSecret(name, { version });
      return { ...toInfo(secret.properties), value: secret.value ?? '' };
    } catch (error) {
      if (version === undefined && isDisabledSecret(error)) return this.newestEnabled(name);
      throw translate(error, 'get', name, version);
    }
  }

  async set(name: string, value: string, options: SetSecretOptions = {}): Promise<SecretVersionInfo> {
    assertSecretName(name);
    if (typeof value !== 'string') throw new TypeError('A secret value must be a string');
    try {
      const secret = await this.client.setSecret(name, value, { contentType: options.contentType, tags: options.tags });
      return toInfo(secret.properties);
    } catch (error) {
      throw translate(error, 'set', name, undefined, value);
    }
  }

  async listVersions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const versions: SecretVersionInfo[] = [];
    try {
      for await (const properties of this.client.listPropertiesOfSecretVersions(name)) versions.push(toInfo(properties));
    } catch (error) {
      throw translate(error, 'listVersions', name);
    }
    // Key Vault lists an unknown secret as an empty page, and orders versions by id, not by age.
    if (versions.length === 0) throw new SecretNotFoundError(name);
    return versions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async disableVersion(name: string, version: string): Promise<void> {
    assertSecretName(name);
    if (!SECRET_VERSION.test(version)) throw new SecretNotFoundError(name, version);
    try {
      await this.client.updateSecretProperties(name, version, { enabled: false });
    } catch (error) {
      throw translate(error, 'disableVersion', name, version);
    }
  }

  /** One page of one secret's properties: proves the vault is reachable and the identity authorized to list. */
  async ping(): Promise<void> {
    try {
      const pages = this.client.listPropertiesOfSecrets({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) }).byPage({ maxPageSize: 1 });
      await pages.next();
      await pages.return?.(undefined);
    } catch (error) {
      throw translate(error, 'ping');
    }
  }

  private async newestEnabled(name: string): Promise<SecretValue> {
    const versions = await this.listVersions(name);
    const newest = versions.find((candidate) => candidate.enabled);
    if (!newest) throw new SecretVersionDisabledError(name, versions[0].version);
    this.logger.debug({ msg: 'Latest version of the secret is disabled; reading the newest enabled one', secretName: name, version: newest.version });
    return this.get(name, newest.version);
  }
}

function toInfo(properties: SecretProperties): SecretVersionInfo {
  return {
    name: properties.name,
    version: properties.version ?? '',
    enabled: properties.enabled ?? true,
    createdAt: properties.createdOn ?? new Date(0),
    ...(properties.updatedOn ? { updatedAt: properties.updatedOn } : {}),
    ...(properties.contentType !== undefined ? { contentType: properties.contentType } : {}),
    ...(properties.tags && Object.keys(properties.tags).length > 0 ? { tags: properties.tags } : {}),
  };
}

function isRestError(error: unknown): error is KeyVaultRestError {
  return error instanceof Error && error.name === 'RestError';
}

/** Key Vault: 403 Forbidden, "Operation get is not allowed on a disabled secret.", inner error SecretDisabled. */
function isDisabledSecret(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 403 && (error.details?.error?.innerError?.code === 'SecretDisabled' || /disabled secret/i.test(error.message));
}

function translate(error: unknown, operation: string, name?: string, version?: string, value?: string): Error {
  if (name && isRestError(error)) {
    if (error.statusCode === 404) return new SecretNotFoundError(name, version);
    if (version && isDisabledSecret(error)) return new SecretVersionDisabledError(name, version);
  }
  const rest = isRestError(error) ? error : undefined;
  let detail = error instanceof Error ? error.message : String(error);
  // No service is expected to echo a value back; if one ever does, it stops here.
  if (value) detail = detail.split(value).join('[REDACTED]');
  return new KeyVaultRequestError(operation, name, rest?.statusCode, rest?.details?.error?.code ?? rest?.code, detail);
}
