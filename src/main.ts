import './thread-pool';
import 'reflect-metadata';
import { createPlatformApp } from './bootstrap';
import { JwtVerifier } from './platform/auth/jwt-verifier';
import { ConfigurationError } from './platform/config/options';
import { RuntimeOptions } from './platform/config/runtime.options';
import { installGracefulShutdown } from './platform/lifecycle/graceful-shutdown';
import { DatabaseOptions } from './platform/persistence/database.options';
import { GrpcServerHost } from './platform/grpc/grpc-server.host';
import { resolveRoles, RoleDefinition, roleLabel, servesGrpc, UnknownRoleError } from './roles';

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
  const verifier = app.get(JwtVerifier);
  logger.info(
    {
      roles: roleLabel(roles),
      port,
      grpcPort: servesGrpc(roles) ? app.get(GrpcServerHost).port : undefined,
      store: app.get(DatabaseOptions).dialect,
      auth: verifier.secretSource === 'generated' ? 'generated-hs256-secret' : verifier.secretSource === 'configured' ? 'hs256' : 'jwks',
      bootMs: Math.round(performance.now() - started),
    },
    `Integration platform listening on http://${runtime.host === '0.0.0.0' ? '127.0.0.1' : runtime.host}:${port}`,
  );
  if (verifier.secretSource === 'generated') {
    logger.info(
      { secretFile: verifier.generatedSecretPath },
      'Development auth: a generated HS256 secret signs tokens. Mint one with: npm run token -- --tenant t1 --scope "integration.providers.read"',
    );
  }
}

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
