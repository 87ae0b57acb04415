import { Metadata, status } from '@grpc/grpc-js';
import { InvalidTokenError, JwtVerifier, Principal } from '../auth/jwt-verifier';
import { GrpcCallAuthenticator } from './grpc-call-authenticator';

const PRINCIPAL: Principal = { tenantId: 't1', subject: 'u1', scopes: new Set(['integration.runs.read']) };

const verifier = {
  verify: async (token: string) => {
    if (token === 'good') return PRINCIPAL;
    if (token === 'broken') throw new Error('the key store is down');
    throw new InvalidTokenError('the token has expired');
  },
} as unknown as JwtVerifier;

const withAuthorization = (...values: string[]) => {
  const metadata = new Metadata();
  for (const value of values) metadata.add('authorization', value);
  return metadata;
};

describe('GrpcCallAuthenticator', () => {
  const authenticator = new GrpcCallAuthenticator(verifier);

  it('returns the principal of a valid bearer token that has the scope', async () => {
    await expect(authenticator.authenticate(withAuthorization('Bearer good'), 'integration.runs.read')).resolves.toBe(PRINCIPAL);
    await expect(authenticator.authenticate(withAuthorization('bearer good'), 'integration.runs.read')).resolves.toBe(PRINCIPAL);
  });

  it.each([
    ['no authorization', withAuthorization()],
    ['another scheme', withAuthorization('Basic dXNlcjpwYXNz')],
    ['two authorization values', withAuthorization('Bearer good', 'Bearer good')],
  ])('refuses %s UNAUTHENTICATED', async (_case, metadata) => {
    await expect(authenticator.authenticate(metadata, 'integration.runs.read')).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
      message: 'A bearer token is required (metadata authorization: Bearer <JWT>)',
    });
  });

  it('refuses an invalid token UNAUTHENTICATED, naming why', async () => {
    await expect(authenticator.authenticate(withAuthorization('Bearer stale'), 'integration.runs.read')).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
      message: 'Invalid bearer token: the token has expired',
    });
  });

  it('refuses a token without the scope PERMISSION_DENIED', async () => {
    await expect(authenticator.authenticate(withAuthorization('Bearer good'), 'integration.runs.execute')).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      message: 'Missing scope: integration.runs.execute',
    });
  });

  it('lets a verifier failure that is not about the token through (answered INTERNAL by the host)', async () => {
    await expect(authenticator.authenticate(withAuthorization('Bearer broken'), 'integration.runs.read')).rejects.toThrow('the key store is down');
  });
});
