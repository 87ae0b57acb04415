import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '../auth/jwt-verifier';
import type { Scope } from '../auth/scopes';

/** What a handler knows about the call it serves. */
export interface GrpcCallScope {
  readonly principal: Principal;
  /** Aborted when the client cancels the call or its deadline passes. */
  readonly signal: AbortSignal;
  /** The call's deadline (epoch ms), when the client set one. */
  readonly deadline?: number;
  readonly metadata: Metadata;
}

/** A unary answer, with trailing metadata worth sending on success (request ids, rate-limit headers). */
export interface GrpcAnswer<Response> {
  readonly response: Response;
  readonly trailers?: Readonly<Record<string, string>>;
}

/** The sending side of a server stream. `write` resolves once the transport can take more (back-pressure). */
export interface GrpcStreamWriter<Event> {
  write(event: Event): Promise<void>;
  /** Trailing metadata sent with the final OK status. */
  setTrailers(trailers: Readonly<Record<string, string>>): void;
}

export interface UnaryMethod<Request = unknown, Response = unknown> {
  readonly kind: 'unary';
  readonly scope: Scope;
  handle(request: Request, call: GrpcCallScope): Promise<GrpcAnswer<Response>>;
}

export interface ServerStreamMethod<Request = unknown, Event = unknown> {
  readonly kind: 'server-stream';
  readonly scope: Scope;
  /** Writes the events and resolves when the stream is complete; the call then ends with OK. */
  handle(request: Request, writer: GrpcStreamWriter<Event>, call: GrpcCallScope): Promise<void>;
}

// Declared with method syntax above, so a method typed with its own messages fits these.
export type GrpcMethod = UnaryMethod | ServerStreamMethod;

/** A service's methods by their proto name (`Complete`). Throwing GrpcError ends a call with that status. */
export type GrpcMethods = Readonly<Record<string, GrpcMethod>>;

export const unary = <Request, Response>(scope: Scope, handle: UnaryMethod<Request, Response>['handle']): UnaryMethod<Request, Response> => ({
  kind: 'unary',
  scope,
  handle,
});

export const serverStream = <Request, Event>(scope: Scope, handle: ServerStreamMethod<Request, Event>['handle']): ServerStreamMethod<Request, Event> => ({
  kind: 'server-stream',
  scope,
  handle,
});
