import { Injectable } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { GRPC_SERVICE, GrpcServiceImplementation, GrpcServiceInfo } from './grpc-service.decorator';

export interface RegisteredGrpcService {
  readonly info: GrpcServiceInfo;
  readonly implementation: GrpcServiceImplementation;
}

/**
 * The @GrpcService providers of every mounted module, one per service name: when several roles run in
 * one process, each of their modules provides the same service class, and the process serves it once.
 */
@Injectable()
export class GrpcServiceRegistry {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  services(): RegisteredGrpcService[] {
    const byName = new Map<string, RegisteredGrpcService & { type: object }>();
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (!type || !wrapper.instance) continue;
      const info = this.reflector.get<GrpcServiceInfo | undefined>(GRPC_SERVICE, type);
      if (!info) continue;
      const known = byName.get(info.service);
      if (known && known.type !== type) {
        throw new Error(`gRPC service ${info.service} is implemented by both ${nameOf(known.type)} and ${nameOf(type)}`);
      }
      if (!known) byName.set(info.service, { info, implementation: wrapper.instance as GrpcServiceImplementation, type });
    }
    return [...byName.values()].map(({ info, implementation }) => ({ info, implementation }));
  }
}

function nameOf(type: object): string {
  return (type as { name?: string }).name ?? 'an anonymous class';
}
