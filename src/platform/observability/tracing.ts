import { randomBytes } from 'node:crypto';
import { isSpanContextValid, propagation, ROOT_CONTEXT, TextMapGetter, TextMapSetter, trace, TraceFlags, TraceState } from '@opentelemetry/api';
// The propagator's own module: the package index costs ~25 ms of boot for code we do not use.
import { W3CTraceContextPropagator } from '@opentelemetry/core/build/src/trace/W3CTraceContextPropagator';
import { RequestContext } from '../context/request-context';

/** The W3C trace context of the unit of work in scope: our own span id, and the caller's as parent. */
export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly traceFlags: number;
  readonly traceState?: TraceState;
}

export type TraceCarrier = Record<string, unknown>;

const propagator = new W3CTraceContextPropagator();
// Registered globally so an OpenTelemetry SDK added by an operator propagates the same way we do.
propagation.setGlobalPropagator(propagator);

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (Array.isArray(value)) return value.map(String);
    return typeof value === 'string' ? value : undefined;
  },
};

const setter: TextMapSetter<TraceCarrier> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

// Ids are drawn from a pool refilled 4 KiB at a time: one getrandom call per 170 spans, not per span.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

const newTraceId = (): string => randomHex(16);
const newSpanId = (): string => randomHex(8);

/**
 * Starts the span of a new unit of work: a child of the `traceparent` (and `tracestate`) in the
 * carrier when one is there and valid, otherwise the root of a new sampled trace.
 */
export function continueTrace(carrier: TraceCarrier = {}): TraceContext {
  if (carrier.traceparent === undefined) return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
  const parent = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, getter));
  if (parent && isSpanContextValid(parent)) {
    return {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentSpanId: parent.spanId,
      traceFlags: parent.traceFlags,
      traceState: parent.traceState,
    };
  }
  return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
}

/** The headers (`traceparent`, and `tracestate` when present) that carry `trace` to the next hop. */
export function traceHeaders(traceContext: TraceContext): Record<string, string> {
  const carrier: TraceCarrier = {};
  const spanContext = {
    traceId: traceContext.traceId,
    spanId: traceContext.spanId,
    traceFlags: traceContext.traceFlags,
    isRemote: false,
    traceState: traceContext.traceState,
  };
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, setter);
  return carrier as Record<string, string>;
}

/** The `traceparent` to send onwards from the unit of work in scope, starting a trace when none is in scope. */
export function currentTraceparent(): string {
  const traceContext = RequestContext.current()?.trace ?? continueTrace();
  return traceHeaders(traceContext).traceparent;
}

export function isValidTraceparent(value: string): boolean {
  const parent = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent: value }, getter));
  return parent !== undefined && isSpanContextValid(parent);
}
