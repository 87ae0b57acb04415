import { handleServerStreamingCall, handleUnaryCall, ServerWritableStream, status, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
export const HEALTH_PROTO = 'grpc/health/v1/health.proto';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: ServingStatus;
}

/**
 * The standard grpc.health.v1.Health service, unauthenticated like `/health/*`: the server (`""`) and
 * each served service are SERVING once the server listens, NOT_SERVING from the moment shutdown starts.
 */
@Injectable()
export class GrpcHealth {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse> }>();

  /** Known from the moment the services are added, NOT_SERVING until the server listens. */
  register(services: readonly string[]): void {
    for (const service of ['', ...services]) if (!this.statuses.has(service)) this.set(service, 'NOT_SERVING');
  }

  serving(): void {
    for (const service of this.statuses.keys()) this.set(service, 'SERVING');
  }

  /** Every service turns NOT_SERVING; open Watch streams get the news and end, so shutdown does not wait for them. */
  stopServing(): void {
    for (const service of this.statuses.keys()) this.set(service, 'NOT_SERVING');
    for (const watcher of this.watchers) watcher.call.end();
    this.watchers.clear();
  }

  statusOf(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  handlers(): UntypedServiceImplementation {
    const check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
      const current = this.statuses.get(call.request.service);
      if (!current) callback({ code: status.NOT_FOUND, details: `Unknown service ${JSON.stringify(call.request.service)}` });
      else callback(null, { status: current });
    };
    const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const watcher = { service: call.request.service, call };
      this.watchers.add(watcher);
      call.on('cancelled', () => this.watchers.delete(watcher));
      call.write({ status: this.statuses.get(watcher.service) ?? 'SERVICE_UNKNOWN' });
    };
    return { Check: check, Watch: watch };
  }

  private set(service: string, next: ServingStatus): void {
    if (this.statuses.get(service) === next) return;
    this.statuses.set(service, next);
    for (const watcher of this.watchers) if (watcher.service === service) watcher.call.write({ status: next });
  }
}
