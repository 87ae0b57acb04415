import type { FastifyInstance } from 'fastify';

export interface MountedRoute {
  readonly method: string;
  readonly url: string;
}

/**
 * Every route the HTTP server serves, Nest controllers and Fastify routes alike, as Fastify registers them
 * (filled while the application initialises). HEAD routes Fastify adds for GETs are left out.
 */
export function recordMountedRoutes(fastify: FastifyInstance): readonly MountedRoute[] {
  const routes: MountedRoute[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  return routes;
}
