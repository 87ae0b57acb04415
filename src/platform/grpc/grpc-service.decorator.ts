import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { GrpcMethods } from './grpc-methods';

export interface GrpcServiceInfo {
  /** The fully qualified proto service name (`integration.models.v1.Models`). */
  readonly service: string;
  /** The proto file declaring it, relative to the repository's `proto/` directory. */
  readonly protoFile: string;
}

/** Implemented by every @GrpcService provider. */
export interface GrpcServiceImplementation {
  methods(): GrpcMethods;
}

export const GRPC_SERVICE = Symbol('grpc:service');

/**
 * Marks a provider as the implementation of one gRPC service. Any module of a gRPC-serving role may
 * provide it (with GrpcModule imported); several modules providing the same service name serve it once.
 */
export const GrpcService = (info: GrpcServiceInfo): ClassDecorator => applyDecorators(Injectable(), SetMetadata(GRPC_SERVICE, info));
