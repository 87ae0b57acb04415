import type { OpenAPIObject } from '@nestjs/swagger';
import type { MountedRoute } from '../http/mounted-routes';
import { openApiPath } from './route-paths';

/** Adds the Fastify routes that describe themselves (`config: { openapi }`) beside the controllers' paths. */
export function addFastifyRoutePaths(document: OpenAPIObject, routes: readonly MountedRoute[]): void {
  for (const route of routes) {
    if (!route.openapi) continue;
    const path = openApiPath(route.url);
    document.paths[path] = { ...document.paths[path], [route.method.toLowerCase()]: route.openapi };
  }
}
