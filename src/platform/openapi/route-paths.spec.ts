import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiPath, undocumentedRoutes } from './route-paths';

const documentOf = (paths: Record<string, string[]>): OpenAPIObject =>
  ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: Object.fromEntries(Object.entries(paths).map(([path, methods]) => [path, Object.fromEntries(methods.map((method) => [method, { responses: {} }]))])),
  }) as OpenAPIObject;

describe('route paths', () => {
  it('writes Fastify URLs as OpenAPI paths', () => {
    expect(openApiPath('/integrations/connections/:id/syncs/:name')).toBe('/integrations/connections/{id}/syncs/{name}');
    expect(openApiPath('/cloud/connections/:id/objects/*')).toBe('/cloud/connections/{id}/objects/{path}');
  });

  it('finds the mounted routes the document misses, by method', () => {
    const document = documentOf({ '/a/{id}': ['get'] });
    expect(
      undocumentedRoutes(
        [
          { method: 'GET', url: '/a/:id' },
          { method: 'DELETE', url: '/a/:id' },
          { method: 'GET', url: '/b' },
        ],
        document,
      ),
    ).toEqual([
      { method: 'DELETE', url: '/a/:id' },
      { method: 'GET', url: '/b' },
    ]);
  });

  it('takes a template as documented by concrete paths in its place', () => {
    const document = documentOf({ '/x/connections/{id}/operations/x.items.list': ['post'] });
    expect(undocumentedRoutes([{ method: 'POST', url: '/x/connections/:id/operations/:name' }], document)).toEqual([]);
    expect(undocumentedRoutes([{ method: 'POST', url: '/y/connections/:id/operations/:name' }], document)).toHaveLength(1);
  });

  it('skips only the listed non-API routes', () => {
    const routes = [
      { method: 'GET', url: '/openapi.json' },
      { method: 'GET', url: '/docs' },
      { method: 'GET', url: '/docs/:asset' },
      { method: 'POST', url: '/docs' },
    ];
    expect(undocumentedRoutes(routes, documentOf({}))).toEqual([{ method: 'POST', url: '/docs' }]);
  });
});
