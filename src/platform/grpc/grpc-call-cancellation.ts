import { Deadline, ServerUnaryCall, ServerWritableStream, status } from '@grpc/grpc-js';
import { GrpcError } from './grpc-error';

export interface CallCancellation {
  readonly signal: AbortSignal;
  readonly deadline?: number;
  dispose(): void;
}

/** An AbortSignal that fires when the client cancels the call or its deadline passes (its reason says which), and the deadline as epoch ms. */
export function cancellationOf(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): CallCancellation {
  const controller = new AbortController();
  const deadline = epochMs(call.getDeadline());
  const onCancelled = () =>
    controller.abort(
      deadline !== undefined && Date.now() >= deadline
        ? new GrpcError(status.DEADLINE_EXCEEDED, 'The call deadline passed')
        : new GrpcError(status.CANCELLED, 'The call was cancelled'),
    );
  call.on('cancelled', onCancelled);
  if (call.cancelled) onCancelled();
  return {
    signal: controller.signal,
    deadline,
    dispose: () => call.removeListener('cancelled', onCancelled),
  };
}

function epochMs(deadline: Deadline): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
