import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { RuntimeOptions } from '../config/runtime.options';

/** How often the listener checks requests against the header and request timeouts (Node's default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use */
/**
 * Fastify loads Ajv and fast-json-stringify (~100 ms of boot) when the instance is created; most roles
 * have no route with a schema, so the compilers are loaded when the first schema is compiled.
 */
const LAZY_SCHEMA_COMPILERS = {
  buildValidator: (...args: unknown[]) => require('@fastify/ajv-compiler')()(...args),
  buildSerializer: (...args: unknown[]) => require('@fastify/fast-json-stringify-compiler')()(...args),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The HTTP adapter of every role: Fastify, with the listener's timeouts set so a client that trickles its
 * head or body, or sits idle, cannot hold a socket for long; Fastify's own logging off (the platform
 * logs each request once, see HttpObservability); no middleware engine (the platform uses hooks).
 */
export function createHttpAdapter(runtime: RuntimeOptions): FastifyAdapter {
  return new FastifyAdapter({
    logger: false,
    skipMiddie: true,
    keepAliveTimeout: runtime.httpKeepAliveTimeoutMs,
    connectionTimeout: runtime.httpIdleTimeoutMs,
    // The body deadline is the request-body handling's (per request, so streamed uploads are bounded by progress, not size).
    requestTimeout: 0,
    http: {
      headersTimeout: runtime.httpHeadersTimeoutMs,
      requestTimeout: 0,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS },
    return503OnClosing: true,
    // Graceful shutdown has drained and closed every connection before the application closes; anything
    // still open then (a keep-alive socket that went idle after the listener closed) must not hold it up.
    forceCloseConnections: true,
    // Every body limit is the request-body handling's (per route, on the decoded size); streamed routes have none here.
    bodyLimit: Number.MAX_SAFE_INTEGER,
  });
}
