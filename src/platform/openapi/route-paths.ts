import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import type { MountedRoute } from '../http/mounted-routes';
import { isUndocumentedRoute } from './undocumented-routes';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

export interface DocumentedOperation {
  path: string;
  method: (typeof HTTP_METHODS)[number];
  operation: OperationObject;
}

/** Every operation of the document, with its path and method. */
export function operationsOf(document: OpenAPIObject): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) => HTTP_METHODS.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] }] : [])));
}

/** A Fastify URL as an OpenAPI path: `:id` → `{id}`, a trailing `*` → `{path}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/{path}');
}

/**
 * The mounted routes the document does not describe. A path template may be described by concrete
 * paths in its place (`…/operations/{name}` by one path per operation name).
 */
export function undocumentedRoutes(routes: readonly MountedRoute[], document: OpenAPIObject): MountedRoute[] {
  const documented = operationsOf(document);
  return routes.filter((route) => {
    if (isUndocumentedRoute(route.method, route.url)) return false;
    const template = templatePattern(openApiPath(route.url));
    return !documented.some(({ method, path }) => method === route.method.toLowerCase() && template.test(path));
  });
}

/** Matches the path itself, or a path with concrete segments where the template has parameters. */
function templatePattern(path: string): RegExp {
  const parts = path.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? `(?:${escape(part)}|[^/{}]+)` : escape(part)));
  return new RegExp(`^${parts.join('')}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
