/**
 * The only routes the API description leaves out: they are not part of the API. The generator drops
 * them and the route coverage test skips them; every other mounted route must be documented.
 */
export const UNDOCUMENTED_ROUTES: ReadonlyArray<{ method: string; url: string; why: string }> = [
  { method: 'GET', url: '/openapi.json', why: 'the API description itself' },
  { method: 'GET', url: '/docs', why: 'the interactive reference page' },
  { method: 'GET', url: '/docs/:asset', why: "the reference page's static assets" },
  { method: 'GET', url: '/console', why: "the operator console's page" },
  { method: 'GET', url: '/console/*', why: "the operator console's files (and its client-side routes)" },
];

/** `url` in Fastify's form (`:id`, a trailing `*`) or the document's (`{id}`, `{path}`): parameters compare by position. */
export function isUndocumentedRoute(method: string, url: string): boolean {
  const shape = shapeOf(url);
  return UNDOCUMENTED_ROUTES.some((route) => route.method === method && shapeOf(route.url) === shape);
}

function shapeOf(url: string): string {
  return url.replace(/\{[^}]+\}|:[A-Za-z0-9_]+|\*$/g, '{}');
}
