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
 * GRPC_HOST:GRPC_PORT from application bootstrap. Health turns NOT_SERVING when draining starts; at
 * shutdown the server stops taking calls, waits for those in flight up to the grace period, then
 * cancels what is left.
 */
@Injectable()
export class GrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: Server;
  private boundPort?: number;

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
    this.boundPort = await bind(server, address(this.options.host, this.options.port));
    this.server = server;
    const names = services.map(({ info }) => info.service);
    this.health.serving(names);
    this.lifecycle.onDrain(() => this.health.stopServing());
    this.logger.info({ grpcPort: this.boundPort, services: names }, `gRPC listening on ${address(this.options.host, this.boundPort)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.health.stopServing();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.runtime.shutdownGracePeriodMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.logger.warn('gRPC calls still running at the end of the grace period; cancelling them');
      server.forceShutdown();
    }
  }
}

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
