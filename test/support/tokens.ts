import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

export const newJwtSecret = (): string => randomBytes(36).toString('base64url');

export interface TokenClaims {
  tenantId?: string;
  scope?: string;
  scp?: string[];
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

export function signHs256(secret: string, claims: TokenClaims): Promise<string> {
  const { expiresIn = 300, iss, aud, sub = 'test-user', ...payload } = claims;
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .setSubject(sub);
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  return jwt.sign(createSecretKey(Buffer.from(secret, 'utf8')));
}
