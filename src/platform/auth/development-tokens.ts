import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';

export interface DevelopmentTokenClaims {
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly subject: string;
  readonly expiresInSeconds: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/** An HS256 bearer token signed with the shared development secret (`npm run token`, the start banner's console link). */
export function signDevelopmentToken(secret: string, claims: DevelopmentTokenClaims): Promise<string> {
  let jwt = new SignJWT({ tenantId: claims.tenantId, scope: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(`${claims.expiresInSeconds}s`)
    .setSubject(claims.subject);
  if (claims.issuer) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(createSecretKey(Buffer.from(secret, 'utf8')));
}
