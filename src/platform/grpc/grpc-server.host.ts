import { Server, ServerCredentials } from '@grpc/grpc-js';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { RuntimeOptions } from '../config/runtime.options';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { ROOT_LOGGER } from '../observability/observability.tokens';
import { GrpcOptions } from './grpc.options';
import { GrpcHandlerFactory } from './grpc-handler-factory';
import { GrpcHealth, HEALTH_PROTO, HEALTH_SERVICE } from './grpc-health';
import { GrpcServiceRegistry } from './grpc-service-registry';
import { loadServiceDefinition } from './proto-files';

/**
 * The process's one gRPC server: every registered service plus grpc.health.v1.Health, listening on
 * GRPC_HOST:GRPC_PORT from application bootstrap. Shutdown follows HTTP's: when draining starts,
 * health turns NOT_SERVING; after SHUTDOWN_DELAY the server stops taking calls (GOAWAY, so clients
 * reconnect elsewhere) while those in flight finish, counted as work the shutdown waits for. When the
 * application closes, what still runs is cancelled (after the grace period when no drain preceded).
 */
@Injectable()
export class GrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: Server;
  private boundPort?: number;
  private stopped?: Promise<void>;

  constructor(
    private readonly options: GrpcOptions,
    private readonly runtime: RuntimeOptions,
    private readonly registry: GrpcServiceRegistry,
    private readonly handlers: GrpcHandlerFactory,
    private readonly health: GrpcHealth,
    private readonly lifecycle: ProcessLifecycle,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** The port bound (the chosen one when GRPC_PORT is 0). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('The gRPC server has not started');
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = new Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.max_send_message_length': this.options.maxMessageBytes,
      'grpc.keepalive_time_ms': this.options.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': this.options.keepaliveTimeoutMs,
    });
    server.addService(loadServiceDefinition(HEALTH_PROTO, HEALTH_SERVICE), this.health.handlers());
    const services = this.registry.services();
    for (const { info, implementation } of services) {
      server.addService(loadServiceDefinition(info.protoFile, info.service), this.handlers.handlersOf(info.service, implementation.methods()));
    }
    const names = services.map(({ info }) => info.service);
    this.health.register(names);
    this.boundPort = await bind(server, address(this.options.host, this.options.port));
    this.server = server;
    this.health.serving();
    this.lifecycle.onDrain(() => this.beginDraining());
    this.logger.info({ grpcPort: this.boundPort, services: names }, `gRPC listening on ${address(this.options.host, this.boundPort)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const stopped = this.stopAccepting();
    // After a drain the grace period has already been spent waiting for the calls in flight.
    const allowanceMs = this.lifecycle.isDraining ? CLOSE_ALLOWANCE_MS : this.runtime.shutdownGracePeriodMs;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      stopped.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), allowanceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn('gRPC calls still running at shutdown; cancelling them');
      server.forceShutdown();
    }
    this.server = undefined;
  }

  private beginDraining(): void {
    this.health.stopServing();
    const timer = setTimeout(() => void this.stopAccepting(), this.runtime.shutdownDelayMs);
    timer.unref();
  }

  /** Stops taking calls; resolves once those in flight are done. Idempotent. */
  private stopAccepting(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.health.stopServing();
    this.stopped ??= new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    return this.stopped;
  }
}

/** What closing the application still gives calls that outlived the drain. */
const CLOSE_ALLOWANCE_MS = 1_000;

function address(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function bind(server: Server, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(target, ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(new Error(`gRPC could not listen on ${target}: ${error.message}`, { cause: error }));
      else resolve(port);
    });
  });
}
