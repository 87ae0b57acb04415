/**
 * The only routes the API description leaves out: they are not part of the API. The generator drops
 * them and the route coverage test skips them; every other mounted route must be documented.
 */
export const UNDOCUMENTED_ROUTES: ReadonlyArray<{ method: string; url: string; why: string }> = [
  { method: 'GET', url: '/openapi.json', why: 'the API description itself' },
  { method: 'GET', url: '/docs', why: 'the interactive reference page' },
  { method: 'GET', url: '/docs/:asset', why: "the reference page's static assets" },
];

export function isUndocumentedRoute(method: string, url: string): boolean {
  return UNDOCUMENTED_ROUTES.some((route) => route.method === method && route.url === url);
}
