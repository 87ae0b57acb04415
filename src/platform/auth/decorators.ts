import { SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPES = 'auth:scopes';

/** The route needs no bearer token (health, metrics, vendor callbacks that carry their own signature). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** The token must grant every listed scope, otherwise 403. */
export const RequireScopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, scopes);
