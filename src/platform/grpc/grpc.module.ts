import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { provideOptions } from '../config/options.provider';
import { GrpcOptions } from './grpc.options';
import { GrpcCallAuthenticator } from './grpc-call-authenticator';
import { GrpcHandlerFactory } from './grpc-handler-factory';
import { GrpcHealth } from './grpc-health';
import { GrpcServerHost } from './grpc-server.host';
import { GrpcServiceRegistry } from './grpc-service-registry';

/**
 * The gRPC listener, mounted once per process when one of its roles is of kind http+grpc. Services are
 * contributed by any mounted module providing a @GrpcService class.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [provideOptions(GrpcOptions), GrpcCallAuthenticator, GrpcHandlerFactory, GrpcHealth, GrpcServiceRegistry, GrpcServerHost],
  exports: [GrpcServerHost, GrpcHealth],
})
export class GrpcModule {}
