import type { OperationObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';

export interface MountedRoute {
  readonly method: string;
  readonly url: string;
  /** A Fastify route's own API description (`config: { openapi }`); Nest controllers are described by their decorators. */
  readonly openapi?: OperationObject;
}

/** The `config` of a Fastify route that documents itself in the API description. */
export interface DocumentedRouteConfig {
  openapi: OperationObject;
}

/**
 * Every route the HTTP server serves, Nest controllers and Fastify routes alike, as Fastify registers them
 * (filled while the application initialises). HEAD routes Fastify adds for GETs are left out.
 */
export function recordMountedRoutes(fastify: FastifyInstance): readonly MountedRoute[] {
  const routes: MountedRoute[] = [];
  fastify.addHook('onRoute', (route) => {
    const openapi = (route.config as Partial<DocumentedRouteConfig> | undefined)?.openapi;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, ...(openapi ? { openapi } : {}) });
  });
  return routes;
}
