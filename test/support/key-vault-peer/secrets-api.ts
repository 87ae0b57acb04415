import { randomBytes } from 'node:crypto';
import type { PeerRequest, PeerResponse } from '../peer-http';

/** Key Vault's data-plane audience: tokens must be issued for `${KEY_VAULT_RESOURCE}/.default`. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_PAGE_SIZE = 25;

export interface VaultFault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface SecretsApiSettings {
  readonly vaultUrl: () => string;
  readonly tenantId: string;
  /** Largest page the list operations return (Key Vault's is 25); small values exercise paging. */
  readonly pageSize: number;
  readonly acceptsToken: (token: string, audience: string) => boolean;
}

interface StoredVersion {
  readonly id: string;
  readonly value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  readonly created: number;
  updated: number;
}

interface StoredSecret {
  readonly name: string;
  /** In creation order: the last one is the secret's current version. */
  readonly versions: StoredVersion[];
}

interface SecretSetBody {
  value?: unknown;
  contentType?: string;
  tags?: Record<string, string>;
  attributes?: { enabled?: boolean };
}

/**
 * The Key Vault Secrets REST API (data plane) over an in-memory vault, as @azure/keyvault-secrets speaks it:
 * the Bearer challenge (the SDK's first request carries no token and no body), `api-version` on every call,
 * SecretBundle / SecretItem shapes with epoch-second timestamps, `{value, nextLink}` paging, 404
 * SecretNotFound and 403 Forbidden/SecretDisabled for a read of a disabled version.
 */
export class SecretsApi {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly faults: VaultFault[] = [];

  constructor(private readonly settings: SecretsApiSettings) {}

  /** The next authorized request fails with this error instead of being served. */
  failNext(fault: VaultFault): void {
    this.faults.push(fault);
  }

  reset(): void {
    this.secrets.clear();
    this.faults.length = 0;
  }

  handle(request: PeerRequest): PeerResponse | undefined {
    const segments = request.path.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] !== 'secrets') return undefined;
    const apiVersion = request.query.get('api-version');
    if (!apiVersion) return vaultError(400, 'BadParameter', 'The request URI contains an invalid or missing api-version query parameter.');
    if (!this.authorized(request)) {
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.settings.tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
        },
        body: vaultError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.').body,
      };
    }
    const fault = this.faults.shift();
    if (fault) return vaultError(fault.status, fault.code, fault.message);

    const [, name, version, extra] = segments;
    if (name === undefined || (name === '' && version === undefined)) {
      return request.method === 'GET' ? this.listSecrets(request, apiVersion) : methodNotAllowed();
    }
    if (!NAME.test(name) || extra !== undefined) return vaultError(400, 'BadParameter', 'The request URI contains an invalid name or path.');
    if (version === 'versions') return request.method === 'GET' ? this.listVersions(name, request, apiVersion) : methodNotAllowed();
    switch (request.method) {
      case 'PUT':
        return version === undefined ? this.set(name, request) : methodNotAllowed();
      case 'GET':
        return this.get(name, version || undefined);
      case 'PATCH':
        return version ? this.update(name, version, request) : methodNotAllowed();
      default:
        return methodNotAllowed();
    }
  }

  private authorized(request: PeerRequest): boolean {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    return !!match && this.settings.acceptsToken(match[1], KEY_VAULT_RESOURCE);
  }

  private set(name: string, request: PeerRequest): PeerResponse {
    let body: SecretSetBody;
    try {
      body = JSON.parse(request.body.toString('utf8')) as SecretSetBody;
    } catch {
      return vaultError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (typeof body.value !== 'string') return vaultError(400, 'BadParameter', "Property 'value' is required.");
    const key = name.toLowerCase();
    const secret = this.secrets.get(key) ?? { name, versions: [] };
    this.secrets.set(key, secret);
    const now = epochSeconds();
    const version: StoredVersion = {
      id: randomBytes(16).toString('hex'),
      value: body.value,
      ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
      ...(body.tags ? { tags: { ...body.tags } } : {}),
      enabled: body.attributes?.enabled ?? true,
      created: now,
      updated: now,
    };
    secret.versions.push(version);
    return { status: 200, body: this.bundle(secret, version, true) };
  }

  private get(name: string, versionId?: string): PeerResponse {
    const secret = this.secrets.get(name.toLowerCase());
    const version = versionId === undefined ? secret?.versions[secret.versions.length - 1] : secret?.versions.find((candidate) => candidate.id === versionId);
    if (!secret || !version) return notFound(versionId ? `${name}/${versionId}` : name);
    if (!version.enabled) {
      return { status: 403, body: { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } } };
    }
    return { status: 200, body: this.bundle(secret, version, true) };
  }

  private update(name: string, versionId: string, request: PeerRequest): PeerResponse {
    const secret = this.secrets.get(name.toLowerCase());
    const version = secret?.versions.find((candidate) => candidate.id === versionId);
    if (!secret || !version) return notFound(`${name}/${versionId}`);
    const body = JSON.parse(request.body.toString('utf8') || '{}') as SecretSetBody;
    if (body.attributes?.enabled !== undefined) version.enabled = body.attributes.enabled;
    if (body.contentType !== undefined) version.contentType = body.contentType;
    if (body.tags !== undefined) version.tags = { ...body.tags };
    version.updated = epochSeconds();
    return { status: 200, body: this.bundle(secret, version, false) };
  }

  private listSecrets(request: PeerRequest, apiVersion: string): PeerResponse {
    const items = [...this.secrets.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((secret) => {
        const current = secret.versions[secret.versions.length - 1];
        return { id: `${this.settings.vaultUrl()}/secrets/${secret.name}`, ...this.properties(current) };
      });
    return this.page(items, '/secrets', request, apiVersion);
  }

  /** Key Vault lists versions by id, not by age (an unknown secret is an empty list). */
  private listVersions(name: string, request: PeerRequest, apiVersion: string): PeerResponse {
    const secret = this.secrets.get(name.toLowerCase());
    const items = [...(secret?.versions ?? [])]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((version) => ({ id: `${this.settings.vaultUrl()}/secrets/${secret!.name}/${version.id}`, ...this.properties(version) }));
    return this.page(items, `/secrets/${name}/versions`, request, apiVersion);
  }

  private page(items: unknown[], path: string, request: PeerRequest, apiVersion: string): PeerResponse {
    const requested = request.query.has('maxresults') ? Number(request.query.get('maxresults')) : MAX_PAGE_SIZE;
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PAGE_SIZE) {
      return vaultError(400, 'BadParameter', `maxresults must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
    }
    const size = Math.min(requested, this.settings.pageSize);
    const token = request.query.get('$skiptoken');
    const offset = token ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset: number }).offset : 0;
    const next = offset + size;
    const skipToken = Buffer.from(JSON.stringify({ offset: next })).toString('base64url');
    return {
      status: 200,
      body: {
        value: items.slice(offset, next),
        nextLink: next < items.length ? `${this.settings.vaultUrl()}${path}?api-version=${apiVersion}&$skiptoken=${skipToken}&maxresults=${size}` : null,
      },
    };
  }

  private bundle(secret: StoredSecret, version: StoredVersion, withValue: boolean): Record<string, unknown> {
    return {
      ...(withValue ? { value: version.value } : {}),
      id: `${this.settings.vaultUrl()}/secrets/${secret.name}/${version.id}`,
      ...this.properties(version),
    };
  }

  private properties(version: StoredVersion): Record<string, unknown> {
    return {
      ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
      ...(version.tags ? { tags: version.tags } : {}),
      attributes: { enabled: version.enabled, created: version.created, updated: version.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
    };
  }
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function vaultError(status: number, code: string, message: string): PeerResponse {
  return { status, body: { error: { code, message } } };
}

function notFound(what: string): PeerResponse {
  return vaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${what} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function methodNotAllowed(): PeerResponse {
  return vaultError(405, 'MethodNotAllowed', 'The requested method is not allowed on this resource.');
}
