import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPlatformApp, PlatformAppSettings } from '../../src/bootstrap';
import type { MountedRoute } from '../../src/platform/http/mounted-routes';
import { resolveRoles } from '../../src/roles';
import type { LogLine } from './platform-process';

/** Collects the JSON log lines the app writes, for assertions on what was (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  parsed(): LogLine[] {
    return this.lines.map((line) => JSON.parse(line) as LogLine);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface InProcessPlatform {
  app: NestFastifyApplication;
  /** Every route the server mounted. */
  routes: readonly MountedRoute[];
  url: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * Boots the platform inside the test process (SQLite in a fresh DATA_DIR unless env says otherwise),
 * listening on an ephemeral port (gRPC too: `app.get(GrpcServerHost).port`). Environment changes are undone on close.
 */
export async function startInProcess(
  env: Record<string, string | undefined> = {},
  extraModules: PlatformAppSettings['extraModules'] = [],
  extraDescriptors: PlatformAppSettings['extraDescriptors'] = [],
  overridingModules: PlatformAppSettings['overridingModules'] = [],
): Promise<InProcessPlatform> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-app-')), LOG_LEVEL: 'debug', APP_ROLE: 'all', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1' });
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const logs = new LogCapture();
  try {
    const { app, routes } = await createPlatformApp(resolveRoles(process.env.APP_ROLE), { logDestination: logs, extraModules, extraDescriptors, overridingModules });
    // Init hooks first: modules tune their consumers there, before the bus starts consuming.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    return {
      app,
      routes,
      url: `http://127.0.0.1:${address.port}`,
      logs,
      async close() {
        await app.close();
        process.env = saved;
      },
    };
  } catch (error) {
    process.env = saved;
    throw error;
  }
}
