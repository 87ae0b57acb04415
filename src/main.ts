import './thread-pool';
import 'reflect-metadata';
import { createPlatformApp } from './bootstrap';
import type { INestApplication } from '@nestjs/common';
import { ConsoleOptions } from './modules/vendor-api-client-registry/console/console.options';
import { JwtVerifier } from './platform/auth/jwt-verifier';
import { SCOPES } from './platform/auth/scopes';
import { ObservabilityOptions } from './platform/config/observability.options';
import { formatStartBanner, StartBannerInfo } from './platform/lifecycle/start-banner';
import { ConfigurationError } from './platform/config/options';
import { RuntimeOptions } from './platform/config/runtime.options';
import { installGracefulShutdown } from './platform/lifecycle/graceful-shutdown';
import { DatabaseOptions } from './platform/persistence/database.options';
import { GrpcServerHost } from './platform/grpc/grpc-server.host';
import { resolveRoles, RoleDefinition, roleLabel, servesGrpc, UnknownRoleError } from './roles';

/** Where the operator console is mounted, when one of the process's roles serves it. */
const CONSOLE_PATH = '/console';

async function main(): Promise<void> {
  const started = performance.now();
  let roles: RoleDefinition[];
  try {
    roles = resolveRoles(process.env.APP_ROLE);
  } catch (error) {
    if (error instanceof UnknownRoleError) return fail(error.message, 2);
    throw error;
  }

  let platform;
  try {
    platform = await createPlatformApp(roles);
  } catch (error) {
    if (error instanceof ConfigurationError) return fail(error.message, 1);
    throw error;
  }
  const { app, logger } = platform;
  const runtime = app.get(RuntimeOptions);
  installGracefulShutdown(app, logger, { gracePeriodMs: runtime.shutdownGracePeriodMs, delayMs: runtime.shutdownDelayMs });
  // Init hooks first: modules tune their consumers there, before the bus starts consuming.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(runtime.port, runtime.host);

  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : runtime.port;
  const baseUrl = `http://${runtime.host === '0.0.0.0' ? '127.0.0.1' : runtime.host}:${port}`;
  const verifier = app.get(JwtVerifier);
  const grpcPort = servesGrpc(roles) ? app.get(GrpcServerHost).port : undefined;
  const store = app.get(DatabaseOptions).dialect;
  const bootMs = Math.round(performance.now() - started);
  const servesConsole = platform.routes.some((route) => route.url === CONSOLE_PATH);
  const tokenHint = verifier.secretSource === 'none' ? 'from your identity provider (AUTH_ISSUER)' : 'npm run token -- --tenant <tenant>';

  if (app.get(ObservabilityOptions).logFormat === 'pretty') {
    const consoleLink = servesConsole ? await developmentConsoleLink(app, baseUrl, runtime.production) : undefined;
    const dataDir = store === 'sqlite' ? runtime.dataDir : undefined;
    process.stdout.write(
      formatStartBanner({ roles: roleLabel(roles), bootMs, baseUrl, grpcPort, console: consoleLink, docs: true, tokenHint, store, dataDir }, process.stdout.isTTY),
    );
    return;
  }
  logger.info(
    {
      roles: roleLabel(roles),
      port,
      grpcPort,
      store,
      auth: verifier.secretSource === 'generated' ? 'generated-hs256-secret' : verifier.secretSource === 'configured' ? 'hs256' : 'jwks',
      console: servesConsole ? `${baseUrl}${CONSOLE_PATH}/` : undefined,
      bootMs,
    },
    `Integration platform listening on ${baseUrl}`,
  );
  if (verifier.secretSource === 'generated') {
    logger.info(
      { secretFile: verifier.generatedSecretPath },
      'Development auth: a generated HS256 secret signs tokens. Mint one with: npm run token -- --tenant t1 --scope "integration.providers.read"',
    );
  }
}

/** The console's address, signing in to the development tenant for a short while where tokens can be minted here (never in production). */
async function developmentConsoleLink(app: INestApplication, baseUrl: string, production: boolean): Promise<StartBannerInfo['console']> {
  const url = `${baseUrl}${CONSOLE_PATH}/`;
  if (production) return { url };
  const options = app.get(ConsoleOptions);
  const tenantId = options.developmentTenant;
  const validForMinutes = Math.round(options.developmentTokenTtlMs / 60_000);
  const token = await app.get(JwtVerifier).mintDevelopmentToken({ tenantId, scopes: SCOPES, subject: 'console:development', expiresInSeconds: validForMinutes * 60 });
  return token ? { url: `${url}#token=${token}`, tenantId, validForMinutes } : { url };
}

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
