/** One version of a secret, without its value. */
export interface SecretVersionInfo {
  readonly name: string;
  readonly version: string;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt?: Date;
  readonly contentType?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SecretValue extends SecretVersionInfo {
  readonly value: string;
}

export interface SetSecretOptions {
  contentType?: string;
  tags?: Record<string, string>;
}

export class SecretNotFoundError extends Error {
  constructor(
    readonly secretName: string,
    readonly version?: string,
  ) {
    super(version ? `Secret ${secretName} has no version ${version}` : `Secret ${secretName} not found`);
    this.name = 'SecretNotFoundError';
  }
}

export class SecretVersionDisabledError extends Error {
  constructor(
    readonly secretName: string,
    readonly version: string,
  ) {
    super(`Version ${version} of secret ${secretName} is disabled`);
    this.name = 'SecretVersionDisabledError';
  }
}

export class InvalidSecretNameError extends Error {
  constructor() {
    // The rejected name is not echoed: a caller that mixed up arguments may have passed a value.
    super('Secret names are 1 to 127 characters: letters, digits and dashes');
    this.name = 'InvalidSecretNameError';
  }
}

/**
 * Key Vault's rule for secret names, applied by every adapter so names are portable. Like Key Vault,
 * every adapter treats names case-insensitively: `Api-Key` and `api-key` are one secret.
 */
export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Versions are 32 lower-case hex digits, as Key Vault issues them. */
export const SECRET_VERSION = /^[0-9a-f]{32}$/;

export function assertSecretName(name: string): void {
  if (typeof name !== 'string' || !SECRET_NAME.test(name)) throw new InvalidSecretNameError();
}

/**
 * The secrets port. Values only ever live here: rows hold a reference (name + version) and a
 * fingerprint. Production: Azure Key Vault. Embedded default: an AES-256-GCM encrypted file store.
 */
export abstract class SecretStore {
  /**
   * The latest enabled version when `version` is omitted (a disabled latest version falls back to the
   * newest enabled one). Throws SecretNotFoundError / SecretVersionDisabledError / InvalidSecretNameError.
   */
  abstract get(name: string, version?: string): Promise<SecretValue>;
  /** Stores a new version (creating the secret if needed); it becomes the latest. */
  abstract set(name: string, value: string, options?: SetSecretOptions): Promise<SecretVersionInfo>;
  /** Every version, newest first, without values. Throws SecretNotFoundError for an unknown secret. */
  abstract listVersions(name: string): Promise<SecretVersionInfo[]>;
  /** A disabled version can no longer be read; the latest enabled version takes its place. */
  abstract disableVersion(name: string, version: string): Promise<void>;
  /** Resolves when the backend is usable (readiness). */
  abstract ping(): Promise<void>;
}
