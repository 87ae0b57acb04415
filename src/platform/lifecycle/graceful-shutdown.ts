import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { ProcessLifecycle } from './process-lifecycle';

export interface ShutdownSettings {
  gracePeriodMs: number;
  delayMs: number;
  exit?: (code: number) => void;
}

/**
 * SIGTERM / SIGINT: fail readiness and stop taking new work, keep serving for the configured delay, close
 * the listener, wait for in-flight requests and handlers (up to the grace period), then close the
 * application (bus, store, clients) and exit 0. Work still running when the grace period ends is
 * abandoned (messages return to the bus after their lock) and the process exits 1.
 */
export function installGracefulShutdown(app: INestApplication, logger: Logger, settings: ShutdownSettings): void {
  const lifecycle = app.get(ProcessLifecycle);
  const exit = settings.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started) return;
    started = true;
    const deadline = Date.now() + settings.delayMs + settings.gracePeriodMs;
    logger.info({ signal, gracePeriodMs: settings.gracePeriodMs, inFlight: lifecycle.activeWork() }, 'Shutting down: draining in-flight work');

    await lifecycle.beginDraining();
    if (settings.delayMs > 0) await sleep(settings.delayMs);

    const server = app.getHttpServer() as Server;
    const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();

    const drained = await lifecycle.whenIdle(Math.max(0, deadline - Date.now()));
    if (!drained) logger.warn({ inFlight: lifecycle.activeWork() }, 'Grace period over with work still in flight; abandoning it');
    server.closeAllConnections();
    await listenerClosed;

    try {
      await withDeadline(app.close(), Math.max(2_000, deadline - Date.now()));
    } catch (error) {
      logger.error({ err: error }, 'Closing the application failed');
      exit(1);
      return;
    }
    logger.info({ drained }, 'Shutdown complete');
    exit(drained ? 0 : 1);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
