import { Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { GrpcMethods } from './grpc-methods';
import { GrpcService, GrpcServiceImplementation } from './grpc-service.decorator';
import { GrpcServiceRegistry } from './grpc-service-registry';

@GrpcService({ service: 'test.v1.Echo', protoFile: 'test.proto' })
class EchoService implements GrpcServiceImplementation {
  methods(): GrpcMethods {
    return {};
  }
}

@GrpcService({ service: 'test.v1.Echo', protoFile: 'test.proto' })
class RivalEchoService extends EchoService {}

@Module({ providers: [EchoService] })
class FirstRoleModule {}

@Module({ providers: [EchoService] })
class SecondRoleModule {}

@Module({ providers: [RivalEchoService] })
class RivalRoleModule {}

const registryWith = async (...modules: Array<new () => unknown>) => {
  @Module({ imports: [DiscoveryModule, ...modules], providers: [GrpcServiceRegistry] })
  class RootModule {}
  const context = await NestFactory.createApplicationContext(RootModule, { logger: false });
  return { registry: context.get(GrpcServiceRegistry), close: () => context.close() };
};

describe('GrpcServiceRegistry', () => {
  it('serves a service contributed by several modules once', async () => {
    const { registry, close } = await registryWith(FirstRoleModule, SecondRoleModule);
    try {
      const services = registry.services();
      expect(services.map(({ info }) => info.service)).toEqual(['test.v1.Echo']);
      expect(services[0].implementation).toBeInstanceOf(EchoService);
    } finally {
      await close();
    }
  });

  it('refuses two different classes claiming one service name', async () => {
    const { registry, close } = await registryWith(FirstRoleModule, RivalRoleModule);
    try {
      expect(() => registry.services()).toThrow('gRPC service test.v1.Echo is implemented by both EchoService and RivalEchoService');
    } finally {
      await close();
    }
  });
});
