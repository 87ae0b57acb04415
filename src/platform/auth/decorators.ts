import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity, DECORATORS } from '@nestjs/swagger';
import type { Scope } from './scopes';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPES = 'auth:scopes';

/** The name of the bearer-token security scheme in the API description. */
export const BEARER_SCHEME = 'bearer';

/** An empty security requirement list documents a route that takes no token (@nestjs/swagger has no decorator for it). */
const NO_SECURITY_REQUIREMENT = SetMetadata(DECORATORS.API_SECURITY, []);

/** The route needs no bearer token (health, metrics, vendor callbacks that carry their own signature). */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), NO_SECURITY_REQUIREMENT);

/**
 * The token must grant every listed scope, otherwise 403. The API description states the same scopes
 * (a security requirement on the route), so what is documented is what the guard enforces.
 */
export const RequireScopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiSecurity(BEARER_SCHEME, scopes));
