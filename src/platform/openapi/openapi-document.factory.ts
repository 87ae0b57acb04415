import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication, Injectable } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ActiveRoles } from '../active-roles';
import { BEARER_SCHEME } from '../auth/decorators';
import { SCOPES } from '../auth/scopes';
import type { MountedRoute } from '../http/mounted-routes';
import { expandOperationPaths } from '../integrations/operations/operation-paths';
import { VendorCatalogue } from '../vendors/vendor-catalogue';
import { addErrorResponses, describeBareResponses, ERROR_SCHEMA, ERROR_SCHEMA_NAME } from './error-responses';
import { addFastifyRoutePaths } from './fastify-route-paths';
import { alignPathParameters, useJsonSchemaNullability } from './openapi-31';
import { operationsOf } from './route-paths';
import { isUndocumentedRoute } from './undocumented-routes';
import { ANY_JSON_VALUE_SCHEMA, AnyJsonValue, describeValidatedClasses } from './validated-properties';

/**
 * The OpenAPI 3.1 description of what this process serves: the mounted controllers (so a role's
 * document has its own routes only), the Fastify routes that describe themselves, one path per vendor
 * operation, and the error answers of every route.
 */
@Injectable()
export class OpenApiDocumentFactory {
  constructor(
    private readonly roles: ActiveRoles,
    private readonly catalogue: VendorCatalogue,
  ) {}

  create(app: INestApplication, routes: readonly MountedRoute[]): OpenAPIObject {
    describeValidatedClasses();
    const document = SwaggerModule.createDocument(app, this.config(), {
      operationIdFactory: (controller, method) => `${lowerFirst(controller.replace(/Controller$/, ''))}.${method}`,
    });
    document.components = { ...document.components, schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: ERROR_SCHEMA, [AnyJsonValue.name]: ANY_JSON_VALUE_SCHEMA } };
    addFastifyRoutePaths(document, routes);
    expandOperationPaths(document, this.catalogue);
    dropUndocumentedRoutes(document);
    alignPathParameters(document);
    addErrorResponses(document);
    describeBareResponses(document);
    useJsonSchemaNullability(document);
    return document;
  }

  private config(): Omit<OpenAPIObject, 'paths'> {
    return new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('Integration Platform API')
      .setDescription(
        `The routes served by this process (roles: ${this.roles.label}). Errors are \`{statusCode, error, message}\` (the chat-completions surface answers its own shape). ` +
          'Every route but the public ones takes `Authorization: Bearer <JWT>` with a `tenantId` claim and the scopes its security requirement lists.',
      )
      .setVersion(packageVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Scopes (the \`scope\` or \`scp\` claim): ${SCOPES.join(', ')}` }, BEARER_SCHEME)
      .addSecurityRequirements(BEARER_SCHEME)
      .build();
  }
}

function dropUndocumentedRoutes(document: OpenAPIObject): void {
  for (const { path, method } of operationsOf(document)) {
    if (isUndocumentedRoute(method.toUpperCase(), path)) delete document.paths[path][method];
  }
  for (const [path, item] of Object.entries(document.paths)) if (Object.keys(item).length === 0) delete document.paths[path];
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
