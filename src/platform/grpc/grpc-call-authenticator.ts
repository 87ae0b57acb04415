import { Metadata, status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { InvalidTokenError, JwtVerifier, Principal } from '../auth/jwt-verifier';
import type { Scope } from '../auth/scopes';
import { GrpcError } from './grpc-error';

/** The HTTP bearer rules over gRPC metadata: a valid `authorization: Bearer <JWT>`, then the method's scope. */
@Injectable()
export class GrpcCallAuthenticator {
  constructor(private readonly verifier: JwtVerifier) {}

  async authenticate(metadata: Metadata, scope: Scope): Promise<Principal> {
    const token = bearerToken(metadata);
    if (!token) throw new GrpcError(status.UNAUTHENTICATED, 'A bearer token is required (metadata authorization: Bearer <JWT>)');
    let principal: Principal;
    try {
      principal = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new GrpcError(status.UNAUTHENTICATED, `Invalid bearer token: ${error.message}`);
    }
    if (!principal.scopes.has(scope)) throw new GrpcError(status.PERMISSION_DENIED, `Missing scope: ${scope}`);
    return principal;
  }
}

function bearerToken(metadata: Metadata): string | undefined {
  const values = metadata.get('authorization');
  if (values.length !== 1 || typeof values[0] !== 'string') return undefined;
  return /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(values[0])?.[1];
}
