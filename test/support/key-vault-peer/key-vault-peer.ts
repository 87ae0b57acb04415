import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ClientRegistration, EntraIdPeer } from './entra-id';
import { PeerRequest, PeerResponse, readBody, withHeaders, writeResponse } from '../peer-http';
import { SecretsApi, VaultFault } from './secrets-api';
import { ensureTestCa, TEST_CA_CERT_PATH } from './test-ca';

export { TEST_CA_CERT_PATH };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly apiVersion: string | null;
  readonly status: number;
  /** Whether the request carried an Authorization header (not whether it was valid). */
  readonly withToken: boolean;
}

export interface KeyVaultPeerOptions {
  /** Largest page of the list operations; Key Vault's is 25, the default 2 makes every list page. */
  pageSize?: number;
}

/**
 * A test-only HTTPS stand-in for Azure Key Vault (Secrets) and for the Microsoft Entra ID endpoints its
 * credential needs, on one loopback port with a certificate from the test CA. Point the real SDK at it:
 * KEYVAULT_URL = `vaultUrl`, and the credential chain's environment from `environment()`.
 * Every request is logged, so tests observe what went over the wire instead of mocking.
 */
export class KeyVaultPeer {
  readonly requests: RecordedRequest[] = [];
  readonly client: ClientRegistration = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
  private readonly identity: EntraIdPeer;
  private readonly secrets: SecretsApi;

  private constructor(
    private readonly server: Server,
    options: KeyVaultPeerOptions,
  ) {
    this.identity = new EntraIdPeer(this.client, () => this.url);
    this.secrets = new SecretsApi({
      vaultUrl: () => this.url,
      tenantId: this.client.tenantId,
      pageSize: options.pageSize ?? 2,
      acceptsToken: (token, audience) => this.identity.accepts(token, audience),
    });
    server.on('request', async (request, response) => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', this.url);
      // The Key Vault routes are matched on the decoded path.
      const peerRequest: PeerRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body };
      const answer = this.dispatch(peerRequest);
      this.requests.push({
        method: peerRequest.method,
        path: peerRequest.path,
        query: url.search,
        apiVersion: url.searchParams.get('api-version'),
        status: answer.status,
        withToken: !!request.headers.authorization,
      });
      writeResponse(response, withHeaders(answer, { 'x-ms-request-id': randomUUID() }));
    });
  }

  static async start(options: KeyVaultPeerOptions = {}): Promise<KeyVaultPeer> {
    const files = ensureTestCa();
    const server = createServer({ key: readFileSync(files.serverKeyPath), cert: readFileSync(files.serverCertPath) });
    const peer = new KeyVaultPeer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return peer;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get vaultUrl(): string {
    return this.url;
  }

  /** What DefaultAzureCredential (its EnvironmentCredential) and SecretsOptions need to reach this peer. */
  environment(): Record<string, string> {
    return {
      KEYVAULT_URL: this.vaultUrl,
      AZURE_TENANT_ID: this.client.tenantId,
      AZURE_CLIENT_ID: this.client.clientId,
      AZURE_CLIENT_SECRET: this.client.clientSecret,
      AZURE_AUTHORITY_HOST: this.url,
      AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
    };
  }

  /** Whether the Entra endpoint of this peer issued `token`, unexpired, for `audience`: another test peer (an Entra-protected API) can check its callers with it. */
  acceptsToken(token: string, audience: string): boolean {
    return this.identity.accepts(token, audience);
  }

  /** The Key Vault calls only, e.g. to count the reads that reached the vault. */
  vaultRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path.startsWith('/secrets'));
  }

  /** The next authorized vault request fails with this Key Vault error. */
  failNextVaultRequest(fault: VaultFault): void {
    this.secrets.failNext(fault);
  }

  /**
   * Fails with instructions unless this process trusts the test CA. Node reads NODE_EXTRA_CA_CERTS once, when
   * the process starts, so it cannot be set from inside a test.
   */
  async assertTrusted(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        request(`${this.url}/trust-probe`, { agent: false }, (response) => response.resume().on('end', resolve))
          .on('error', reject)
          .end();
      });
    } catch (error) {
      throw new Error(
        `This test process does not trust the Key Vault peer's test CA (${String(error)}). Start it with NODE_EXTRA_CA_CERTS=${TEST_CA_CERT_PATH} (created by \`node test/support/key-vault-peer/test-ca.js\`).`,
        { cause: error },
      );
    }
  }

  /** An empty vault and an empty request log; issued tokens stay valid. */
  reset(): void {
    this.secrets.reset();
    this.clearRequestLog();
  }

  clearRequestLog(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private dispatch(request: PeerRequest): PeerResponse {
    try {
      return (
        this.secrets.handle(request) ??
        this.identity.handle(request) ?? { status: 404, body: { error: { code: 'NotFound', message: `No route for ${request.method} ${request.path}` } } }
      );
    } catch (error) {
      return { status: 500, body: { error: { code: 'InternalError', message: String(error) } } };
    }
  }
}
