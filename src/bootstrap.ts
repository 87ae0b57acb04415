import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module';
import { AuthOptions } from './platform/auth/auth.options';
import { ObservabilityOptions } from './platform/config/observability.options';
import { envBindings, loadOptions, OptionsClass, validateOptions } from './platform/config/options';
import { RuntimeOptions } from './platform/config/runtime.options';
import { RequestValidationPipe } from './platform/http/validation.pipe';
import { HttpObservability } from './platform/observability/http-observability';
import { createRootLogger } from './platform/observability/logger';
import { PinoNestLogger } from './platform/observability/nest-logger';
import { PlatformMetrics } from './platform/observability/platform-metrics';
import { SecretRedactor } from './platform/observability/redaction';
import { DatabaseOptions } from './platform/persistence/database.options';
import { ActiveRoles } from './platform/platform.module';
import { RoleDefinition, roleLabel } from './roles';

/** The options every process binds, whatever its roles. */
export const PLATFORM_OPTIONS: readonly OptionsClass[] = [RuntimeOptions, ObservabilityOptions, DatabaseOptions, AuthOptions];

export function optionsOf(roles: readonly RoleDefinition[]): OptionsClass[] {
  return [...PLATFORM_OPTIONS, ...roles.flatMap((role) => role.load().options)];
}

export interface PlatformApp {
  app: NestExpressApplication;
  logger: Logger;
}

/**
 * Validates the whole configuration of the selected roles (throws ConfigurationError listing every
 * problem), then creates the Nest application with the platform's logger, metrics and HTTP pipeline.
 * Does not listen: the caller decides (main listens; tests use supertest or listen on port 0).
 */
export async function createPlatformApp(roles: readonly RoleDefinition[], logDestination?: DestinationStream): Promise<PlatformApp> {
  const optionClasses = optionsOf(roles);
  validateOptions(optionClasses);
  for (const type of optionClasses) {
    for (const binding of envBindings(type)) if (binding.secret) SecretRedactor.register(process.env[binding.variable]);
  }

  const runtime = loadOptions(RuntimeOptions);
  const observability = loadOptions(ObservabilityOptions);
  const label = roleLabel(roles);
  const logger = createRootLogger({ level: observability.logLevel, role: label, destination: logDestination });
  const metrics = new PlatformMetrics(label);

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoles(roles, { roles: new ActiveRoles(roles.map((role) => role.name), label), logger, metrics }),
    { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
  );
  app.disable('x-powered-by');
  app.use(app.get(HttpObservability).middleware);
  app.useBodyParser('json', { limit: runtime.httpBodyLimitBytes });
  app.useGlobalPipes(new RequestValidationPipe());
  return { app, logger };
}
