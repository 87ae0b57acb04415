import { createSecretKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTHeaderParameters, JWTPayload, jwtVerify, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { RuntimeOptions } from '../config/runtime.options';
import { TENANT_ID_PATTERN } from '../context/tenant-id';
import { AuthOptions } from './auth.options';
import { ensureDevelopmentSecret } from './development-secret';
import { DevelopmentTokenClaims, signDevelopmentToken } from './development-tokens';

export interface Principal {
  readonly tenantId: string;
  readonly subject?: string;
  readonly scopes: ReadonlySet<string>;
  /** The token's `exp`. */
  readonly expiresAt?: Date;
}

export class InvalidTokenError extends Error {}

/**
 * Verifies bearer JWTs: RS256 against the JWKS when AUTH_JWKS_URI is set, HS256 against the shared
 * (configured or generated) secret otherwise or in addition. Issuer and audience are checked when set.
 */
@Injectable()
export class JwtVerifier {
  private readonly jwks?: JWTVerifyGetKey;
  private readonly secret?: KeyObject;
  readonly secretSource: 'configured' | 'generated' | 'none';
  readonly generatedSecretPath?: string;

  constructor(
    @Inject(AuthOptions) private readonly options: AuthOptions,
    @Inject(RuntimeOptions) runtime: RuntimeOptions,
  ) {
    if (options.jwksUri) this.jwks = createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    if (options.jwtSecret) {
      this.secret = createSecretKey(Buffer.from(options.jwtSecret, 'utf8'));
      this.secretSource = 'configured';
    } else if (!options.jwksUri && !runtime.production) {
      const generated = ensureDevelopmentSecret(runtime.dataDir);
      this.secret = createSecretKey(Buffer.from(generated.secret, 'utf8'));
      this.secretSource = 'generated';
      this.generatedSecretPath = generated.path;
    } else {
      this.secretSource = 'none';
    }
  }

  async verify(token: string): Promise<Principal> {
    const verifyOptions: JWTVerifyOptions = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: Math.round(this.options.clockToleranceMs / 1000),
      requiredClaims: ['exp'],
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header, input) => this.keyFor(header, input), verifyOptions));
    } catch (error) {
      throw new InvalidTokenError(describeJoseError(error));
    }
    return toPrincipal(payload);
  }

  /**
   * A token signed with the shared HS256 secret (the start banner's console link); undefined where only
   * the identity provider issues tokens. Never in production: the caller checks.
   */
  async mintDevelopmentToken(claims: Omit<DevelopmentTokenClaims, 'issuer' | 'audience'>): Promise<string | undefined> {
    if (!this.secret) return undefined;
    return signDevelopmentToken(this.secret.export().toString('utf8'), { ...claims, issuer: this.options.issuer, audience: this.options.audience });
  }

  private keyFor(header: JWTHeaderParameters, input: Parameters<JWTVerifyGetKey>[1]) {
    if (header.alg === 'HS256' && this.secret) return this.secret;
    if (header.alg === 'RS256' && this.jwks) return this.jwks(header, input);
    throw new InvalidTokenError(`tokens signed with ${algorithmName(header.alg)} are not accepted`);
  }
}

function toPrincipal(payload: JWTPayload): Principal {
  const tenantId = payload.tenantId;
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidTokenError('the tenantId claim is missing or malformed');
  }
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string')
    payload.scope
      .split(' ')
      .filter(Boolean)
      .forEach((scope) => scopes.add(scope));
  const scp = payload.scp;
  if (Array.isArray(scp)) scp.filter((scope): scope is string => typeof scope === 'string').forEach((scope) => scopes.add(scope));
  else if (typeof scp === 'string')
    scp
      .split(' ')
      .filter(Boolean)
      .forEach((scope) => scopes.add(scope));
  return { tenantId, subject: payload.sub, scopes, expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined };
}

function describeJoseError(error: unknown): string {
  if (error instanceof InvalidTokenError) return error.message;
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the identity provider matches the token';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'the identity provider keys could not be fetched';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the token is malformed';
  return 'the token could not be verified';
}

/** The token's `alg` as it may be quoted back: only a plausible algorithm name, never arbitrary header text. */
function algorithmName(alg: unknown): string {
  if (typeof alg !== 'string' || alg === '') return 'no algorithm';
  return /^[A-Za-z0-9+-]{1,16}$/.test(alg) ? alg : 'an unrecognised algorithm';
}
