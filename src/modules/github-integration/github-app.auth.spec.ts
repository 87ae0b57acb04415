import { generateKeyPairSync, verify } from 'node:crypto';
import type { EgressRequest, EgressResponse } from '../../platform/egress/egress-client';
import type { AuthContext, MintedToken } from '../../platform/vendors/vendor-descriptor';
import { appJwt, GITHUB_APP_AUTH, parseGitHubAppCredential } from './github-app.auth';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const CREDENTIAL = JSON.stringify({ appId: 123456, privateKey: PEM });

function decode(jwt: string) {
  const [header, claims, signature] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
    verified: verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')),
  };
}

function context(overrides: { configuration?: Record<string, unknown>; answer?: Partial<EgressResponse> } = {}) {
  const exchanges: EgressRequest[] = [];
  const shared = new Map<string, string>();
  const forgotten: Array<[string, string]> = [];
  const auth: AuthContext = {
    tenantId: 't',
    connectionId: 'conn-1',
    providerId: 'github',
    configuration: overrides.configuration ?? { installationId: 42 },
    baseUrl: new URL('https://ghe.example.com/api/v3'),
    apiKeyHeader: 'x-api-key',
    credentialId: 'cred-1',
    secret: async () => CREDENTIAL,
    sharedToken: async (key: string, mint: () => Promise<MintedToken>) => {
      if (!shared.has(key)) shared.set(key, (await mint()).value);
      return shared.get(key)!;
    },
    forgetSharedToken: async (key, rejected) => void forgotten.push([key, rejected]),
    replaceSecret: async () => undefined,
    exchange: async (request) => {
      exchanges.push(request);
      return {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ token: 'ghs_installation', expires_at: '2030-01-01T00:00:00Z' })),
        latencyMs: 1,
        ...overrides.answer,
      };
    },
    vendorUrl: (path) => new URL(`https://ghe.example.com/api/v3${path}`),
    azureToken: async () => '',
  };
  return { auth, exchanges, shared, forgotten };
}

describe('GitHub App auth', () => {
  it('signs an RS256 app JWT issued a minute back and valid nine minutes ahead', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const { header, claims, verified } = decode(appJwt(parseGitHubAppCredential(CREDENTIAL), now));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toEqual({ iat: now / 1000 - 60, exp: now / 1000 + 540, iss: '123456' });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
    expect(verified).toBe(true);
  });

  it('mints the installation token once per installation, with the app JWT, under the base URL', async () => {
    const { auth, exchanges, shared } = context();
    expect(await GITHUB_APP_AUTH.headers(auth)).toEqual({ authorization: 'Bearer ghs_installation' });
    expect(await GITHUB_APP_AUTH.headers(auth)).toEqual({ authorization: 'Bearer ghs_installation' });
    expect(exchanges).toHaveLength(1);
    expect(String(exchanges[0].url)).toBe('https://ghe.example.com/api/v3/app/installations/42/access_tokens');
    expect(exchanges[0]).toMatchObject({ method: 'POST', headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' } });
    const jwt = /^Bearer (.+)$/.exec(exchanges[0].headers!.authorization)![1];
    expect(decode(jwt)).toMatchObject({ claims: { iss: '123456' }, verified: true });
    expect([...shared.keys()]).toEqual(['github-app:installation:42']);
  });

  it('forgets a token GitHub rejected and asks for a re-send', async () => {
    const { auth, forgotten } = context();
    expect(await GITHUB_APP_AUTH.rejected!(auth, { authorization: 'Bearer ghs_old' })).toBe(true);
    expect(forgotten).toEqual([['github-app:installation:42', 'ghs_old']]);
    expect(await GITHUB_APP_AUTH.rejected!(auth, {})).toBe(false);
  });

  it.each([401, 403, 404])('classifies a %i from the token endpoint as Auth, without the key or JWT in the message', async (status) => {
    const { auth } = context({ answer: { status, body: Buffer.from('{"message":"A JSON web token could not be decoded"}') } });
    const error = await GITHUB_APP_AUTH.headers(auth).catch((caught: Error & { category?: string }) => caught);
    expect(error).toMatchObject({ category: 'Auth', code: 'github_app_token_refused' });
    expect(String((error as Error).message)).not.toContain('PRIVATE KEY');
  });

  it('classifies a 5xx as Transient and a token answer without a token as Poison', async () => {
    await expect(GITHUB_APP_AUTH.headers(context({ answer: { status: 502 } }).auth)).rejects.toMatchObject({ category: 'Transient' });
    await expect(GITHUB_APP_AUTH.headers(context({ answer: { body: Buffer.from('{}') } }).auth)).rejects.toMatchObject({ category: 'Poison' });
  });

  it('requires configuration.installationId and a well-formed credential', async () => {
    expect(GITHUB_APP_AUTH.configurationProblems!({})).toEqual(['configuration.installationId (the GitHub App installation id) is required with auth github-app']);
    expect(GITHUB_APP_AUTH.configurationProblems!({ installationId: '42' })).toEqual([]);
    await expect(GITHUB_APP_AUTH.headers(context({ configuration: {} }).auth)).rejects.toMatchObject({ code: 'github_installation_missing' });
    for (const bad of ['not json', '{"appId":1}', JSON.stringify({ appId: 1, privateKey: 'not a pem' })]) {
      expect(() => parseGitHubAppCredential(bad)).toThrow('A github-app credential must hold JSON {appId, privateKey}');
    }
  });
});
