import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { contentTypeOf } from '../http/content-types';

/** The reference page: Swagger UI on the process's own description, every asset served from here (it works offline). */
export const API_REFERENCE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Integration Platform API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

/** The only files served under /docs: a fixed list, so no request names a path on disk. */
const PACKAGE_FILES: ReadonlySet<string> = new Set([
  'swagger-ui.css',
  'index.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
]);

/** The assets change only with the swagger-ui-dist package, so browsers may keep them for a day. */
const ASSET_CACHE_CONTROL = 'public, max-age=86400';

/** Swagger UI's files, from the swagger-ui-dist package (installed with @nestjs/swagger). */
export class ApiReferenceAssets {
  private readonly directory = dirname(require.resolve('swagger-ui-dist/package.json'));

  send(name: string, reply: FastifyReply): FastifyReply {
    reply.header('cache-control', ASSET_CACHE_CONTROL).header('x-content-type-options', 'nosniff');
    if (name === 'swagger-initializer.js') return reply.type('text/javascript; charset=utf-8').send(INITIALIZER);
    if (!PACKAGE_FILES.has(name)) throw new NotFoundException(`No asset ${name.slice(0, 100)}`);
    return reply.type(contentTypeOf(name)).send(createReadStream(join(this.directory, name)));
  }
}
