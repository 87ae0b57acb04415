import { EgressOptions } from './platform/egress/egress.options';
import { IntegrationsOptions } from './platform/integrations/integrations.options';
import { ModelGatewayOptions } from './platform/models/model-gateway.options';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module';
import { AuthOptions } from './platform/auth/auth.options';
import { ObservabilityOptions } from './platform/config/observability.options';
import { envBindings, loadOptions, OptionsClass, validateOptions } from './platform/config/options';
import { RuntimeOptions } from './platform/config/runtime.options';
import { createHttpAdapter } from './platform/http/http-adapter';
import { MountedRoute, recordMountedRoutes } from './platform/http/mounted-routes';
import { installRequestBodyHandling } from './platform/http/request-body';
import { prettyLogDestination } from './platform/observability/pretty-log-destination';
import { RequestValidationPipe } from './platform/http/validation.pipe';
import { HttpObservability } from './platform/observability/http-observability';
import { createRootLogger } from './platform/observability/logger';
import { PinoNestLogger } from './platform/observability/nest-logger';
import { PlatformMetrics } from './platform/observability/platform-metrics';
import { SecretRedactor } from './platform/observability/redaction';
import { OpenApiPublisher } from './platform/openapi/openapi.publisher';
import { AzureIdentityOptions } from './platform/azure/azure-identity.options';
import { BlobOptions } from './platform/blob/blob.options';
import { CacheOptions } from './platform/cache/cache.options';
import { BusOptions } from './platform/messaging/bus.options';
import { BusServer } from './platform/messaging/bus.server';
import { DatabaseOptions } from './platform/persistence/database.options';
import { ResilienceOptions } from './platform/resilience/resilience.options';
import { SecretsOptions } from './platform/secrets/secrets.options';
import { ActiveRoles } from './platform/active-roles';
import type { VendorDescriptor } from './platform/vendors/vendor-descriptor';
import { GrpcOptions } from './platform/grpc/grpc.options';
import { RoleDefinition, roleLabel, servesGrpc } from './roles';

/** The options every process binds, whatever its roles. */
export const PLATFORM_OPTIONS: readonly OptionsClass[] = [
  RuntimeOptions,
  ObservabilityOptions,
  DatabaseOptions,
  AuthOptions,
  BusOptions,
  AzureIdentityOptions,
  BlobOptions,
  SecretsOptions,
  CacheOptions,
  ResilienceOptions,
  EgressOptions,
  IntegrationsOptions,
  ModelGatewayOptions,
];

/** The options of a process that serves gRPC (a role of kind http+grpc). */
export const GRPC_OPTIONS: readonly OptionsClass[] = [GrpcOptions];

export function optionsOf(roles: readonly RoleDefinition[]): OptionsClass[] {
  // A section shared by two roles (the message records of email and SMS) is bound once.
  return [...new Set([...PLATFORM_OPTIONS, ...(servesGrpc(roles) ? GRPC_OPTIONS : []), ...roles.flatMap((role) => role.load().options)])];
}

export interface PlatformApp {
  app: NestFastifyApplication;
  logger: Logger;
  /** Every route served, filled by `app.init()`. */
  routes: readonly MountedRoute[];
}

/**
 * Validates the whole configuration of the selected roles (throws ConfigurationError listing every
 * problem), then creates the Nest application with the platform's logger, metrics and HTTP pipeline.
 * Neither consumes nor listens yet: the caller runs `app.startAllMicroservices()` (the bus consumers of
 * the mounted handlers) and `app.listen()`.
 */
export interface PlatformAppSettings {
  logDestination?: DestinationStream;
  /** Modules mounted beside the roles' own (embedding, tests). */
  extraModules?: Array<Type<unknown> | DynamicModule>;
  /** Vendor descriptors added to the built-in catalogue (embedding, tests). */
  extraDescriptors?: readonly VendorDescriptor[];
  /** Global modules whose providers stand in for the platform's own (embedding, tests). */
  overridingModules?: Array<Type<unknown> | DynamicModule>;
}

export async function createPlatformApp(roles: readonly RoleDefinition[], settings: PlatformAppSettings = {}): Promise<PlatformApp> {
  const optionClasses = optionsOf(roles);
  validateOptions(optionClasses);
  for (const type of optionClasses) {
    for (const binding of envBindings(type)) if (binding.secret) SecretRedactor.register(process.env[binding.variable]);
  }

  const runtime = loadOptions(RuntimeOptions);
  const observability = loadOptions(ObservabilityOptions);
  const label = roleLabel(roles);
  const destination = settings.logDestination ?? (observability.logFormat === 'pretty' ? prettyLogDestination(process.stdout) : undefined);
  const logger = createRootLogger({ level: observability.logLevel, role: label, destination });
  const metrics = new PlatformMetrics(label);

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoles(
      roles,
      {
        roles: new ActiveRoles(
          roles.map((role) => role.name),
          label,
        ),
        logger,
        metrics,
      },
      { extraModules: settings.extraModules, extraDescriptors: settings.extraDescriptors, overridingModules: settings.overridingModules },
    ),
    createHttpAdapter(runtime),
    { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  const routes = recordMountedRoutes(fastify);
  app.get(HttpObservability).install(fastify);
  app.get(OpenApiPublisher).install(app, routes);
  installRequestBodyHandling(fastify, {
    jsonLimitBytes: runtime.httpBodyLimitBytes,
    jsonMaxDepth: runtime.httpJsonMaxDepth,
    rawRoutes: roles.flatMap((role) => role.load().rawBodyRoutes ?? []).map((route) => ({ path: route.path, limitBytes: route.limitBytes() })),
    streamRoutes: roles.flatMap((role) => role.load().streamBodyRoutes ?? []),
    requestTimeoutMs: runtime.httpRequestTimeoutMs,
  });
  app.useGlobalPipes(new RequestValidationPipe());
  app.connectMicroservice({ strategy: app.get(BusServer) }, { inheritAppConfig: true });
  return { app, logger, routes };
}
