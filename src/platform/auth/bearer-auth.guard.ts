import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context';
import { quotable } from '../http/quotable';
import { PUBLIC_ROUTE, REQUIRED_SCOPES } from './decorators';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier';

/**
 * Applied to every HTTP route: a valid bearer JWT (401 otherwise, with an RFC 6750 challenge), then the
 * route's scopes (403). The principal lands in the request context, where TenantContext reads it.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const response = context.switchToHttp().getResponse<FastifyReply>();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      response.header('www-authenticate', 'Bearer');
      throw new UnauthorizedException('A bearer token is required');
    }

    let principal;
    try {
      principal = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      response.header('www-authenticate', `Bearer error="invalid_token", error_description="${quotable(error.message)}"`);
      throw new UnauthorizedException(`Invalid bearer token: ${error.message}`);
    }

    const store = RequestContext.current();
    if (store) {
      store.tenantId = principal.tenantId;
      store.subject = principal.subject;
      store.scopes = principal.scopes;
      store.tokenExpiresAt = principal.expiresAt;
    }

    const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      response.header('www-authenticate', `Bearer error="insufficient_scope", scope="${quotable(required.join(' '))}"`);
      throw new ForbiddenException(`Missing scope: ${missing.join(' ')}`);
    }
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? '');
  return match?.[1];
}
