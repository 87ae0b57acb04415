import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MountedRoute } from '../http/mounted-routes';
import { API_REFERENCE_HTML, ApiReferenceAssets } from './api-reference-assets';
import { OpenApiDocumentFactory } from './openapi-document.factory';

/**
 * Serves `GET /openapi.json` (this process's API description) and `GET /docs` (the interactive reference).
 * Both are public Fastify routes, outside Nest's guards. The document is built on its first request, when
 * every route is mounted, and kept.
 */
@Injectable()
export class OpenApiPublisher {
  private readonly assets = new ApiReferenceAssets();
  private document?: string;

  constructor(private readonly factory: OpenApiDocumentFactory) {}

  install(app: NestFastifyApplication, routes: readonly MountedRoute[]): void {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.get('/openapi.json', (_request, reply) => {
      this.document ??= JSON.stringify(this.factory.create(app, routes));
      return reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(this.document);
    });
    fastify.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(API_REFERENCE_HTML));
    fastify.get<{ Params: { asset: string } }>('/docs/:asset', (request, reply) => this.assets.send(request.params.asset, reply));
  }
}
