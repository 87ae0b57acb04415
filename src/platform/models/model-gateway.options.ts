import { duration } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

@OptionsSection('Model gateway', 'Model calls of every model role (any role may call any model connection)')
export class ModelGatewayOptions {
  @Env('MODEL_REQUEST_TIMEOUT', duration({ min: 1000, max: 3_600_000 }), {
    default: 120_000,
    description: 'A whole completion or embedding call, or a stream until its response headers; a gRPC deadline shortens it',
  })
  readonly requestTimeoutMs: number;

  @Env('MODEL_STREAM_IDLE_TIMEOUT', duration({ min: 100, max: 3_600_000 }), {
    default: 60_000,
    description: 'Longest silence between two chunks of a streamed completion before the stream is failed as stalled',
  })
  readonly streamIdleTimeoutMs: number;
}
