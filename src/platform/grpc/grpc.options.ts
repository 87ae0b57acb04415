import { bytes, duration, int, str } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

@OptionsSection('gRPC', 'gRPC listener of the roles that serve gRPC (kind http+grpc)')
export class GrpcOptions {
  @Env('GRPC_PORT', int({ min: 0, max: 65535 }), { default: 50051, description: 'gRPC port (`0` picks a free port)' })
  readonly port: number;

  @Env('GRPC_HOST', str({ minLength: 1 }), { default: '0.0.0.0', description: 'Interface the gRPC server binds to' })
  readonly host: string;

  @Env('GRPC_MAX_MESSAGE_BYTES', bytes({ min: 1024, max: 256 * 1024 * 1024 }), {
    default: 4 * 1024 * 1024,
    description: 'Largest gRPC message received or sent (RESOURCE_EXHAUSTED above it)',
  })
  readonly maxMessageBytes: number;

  @Env('GRPC_KEEPALIVE_TIME', duration({ min: 10_000, max: 3_600_000 }), {
    default: 60_000,
    description: 'Idle time after which the server pings a client connection to check it is still there',
  })
  readonly keepaliveTimeMs: number;

  @Env('GRPC_KEEPALIVE_TIMEOUT', duration({ min: 1000, max: 600_000 }), {
    default: 20_000,
    description: 'How long the server waits for the answer to a keepalive ping before closing the connection',
  })
  readonly keepaliveTimeoutMs: number;
}
