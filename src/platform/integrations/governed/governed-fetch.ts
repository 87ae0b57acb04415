import { classifyError, FailureClassification, IntegrationError } from '../../resilience/failure-classifier';
import type { ExchangeTestContext } from '../../vendors/vendor-descriptor';
import type { ConnectionProfile } from '../connections/connection-profile';
import { runOf, type GovernedHttpClient, type GovernedStream } from './governed-http-client';

/** The WHATWG fetch signature vendor SDKs accept as their transport. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** One exchange a governed fetch (or session) made: its run, the JSON-RPC method it carried, if any, and its HTTP status (null outside HTTP). */
export interface GovernedExchange {
  readonly runId: string;
  readonly rpcMethod: string | undefined;
  readonly status: number | null;
}

export interface GovernedFetchSettings {
  readonly tenantId: string;
  readonly connectionId: string;
  /** The vendor endpoint the SDK talks to: a request for another origin is refused. */
  readonly endpoint: URL;
  readonly purpose: 'call' | 'test';
  /** Names the runs: `<prefix> <JSON-RPC method>`. */
  readonly operationPrefix: string;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly onExchange?: (exchange: GovernedExchange) => void;
}

/** Headers an SDK sets that the governed pipeline sets itself (credentials, framing). */
const PIPELINE_HEADERS = new Set(['authorization', 'content-length', 'host', 'connection']);

/**
 * A vendor SDK's `fetch` on the governed pipeline: every exchange the SDK makes is a governed call on the
 * connection, with its credential, rate budgets, breaker, egress guard (allow-list, SSRF) and run. Bodies
 * are handed over as they arrive, so streamed answers (server-sent events) stay streams.
 */
export function governedFetch(governed: GovernedHttpClient, settings: GovernedFetchSettings): FetchLike {
  return async (input, init = {}) => {
    const url = new URL(String(input));
    if (url.origin !== settings.endpoint.origin) {
      throw IntegrationError.validation('sdk_origin_refused', `The vendor SDK of connection ${settings.connectionId} asked for another origin than its endpoint's`);
    }
    const body = typeof init.body === 'string' ? init.body : init.body === undefined || init.body === null ? undefined : String(init.body);
    const rpcMethod = rpcMethodOf(body);
    const answer = await governed.stream(
      settings.connectionId,
      { method: init.method ?? 'GET', path: url.pathname, query: queryOf(url), headers: callerHeaders(init.headers), body },
      {
        tenantId: settings.tenantId,
        purpose: settings.purpose,
        operation: `${settings.operationPrefix} ${rpcMethod ?? (init.method ?? 'GET').toLowerCase()}`,
        metricOperation: `${settings.operationPrefix}.${rpcMethod ?? 'stream'}`,
        timeoutMs: settings.timeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        signal: init.signal ?? undefined,
      },
    );
    if (!answer.streaming) {
      settings.onExchange?.({ runId: answer.run.id, rpcMethod, status: answer.status });
      return new Response(answer.status === 204 || answer.status === 304 ? null : new Uint8Array(answer.body), { status: answer.status, headers: webHeaders(answer.headers) });
    }
    settings.onExchange?.({ runId: answer.stream.run.id, rpcMethod, status: answer.stream.status });
    return new Response(answer.stream.status === 202 || answer.stream.status === 204 ? emptyBody(answer.stream) : readable(answer.stream), {
      status: answer.stream.status,
      headers: webHeaders(answer.stream.headers),
    });
  };
}

/** The stream's bytes for the SDK; its run ends when the body ends, fails or is cancelled by the SDK. */
function readable(stream: GovernedStream): ReadableStream<Uint8Array> {
  const iterator = stream.body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          await stream.complete({});
          controller.close();
        } else {
          controller.enqueue(new Uint8Array(next.value));
        }
      } catch (error) {
        await stream.fail(error);
        controller.error(error);
      }
    },
    async cancel() {
      await stream.fail(IntegrationError.transient('aborted', 'The vendor SDK closed the stream'));
    },
  });
}

function emptyBody(stream: GovernedStream): null {
  void (async () => {
    for await (const chunk of stream.body) void chunk;
    await stream.complete({});
  })().catch((error: unknown) => stream.fail(error));
  return null;
}

function rpcMethodOf(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const message = JSON.parse(body) as { method?: unknown } | Array<{ method?: unknown }>;
    const first = Array.isArray(message) ? message[0] : message;
    return typeof first?.method === 'string' ? first.method.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

function callerHeaders(headers: RequestInit['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  new Headers(headers ?? {}).forEach((value, name) => {
    if (!PIPELINE_HEADERS.has(name)) result[name] = value;
  });
  return result;
}

function queryOf(url: URL): Record<string, string[]> | undefined {
  if (!url.search) return undefined;
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
  return query;
}

function webHeaders(headers: Record<string, string | string[]>): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) for (const item of Array.isArray(value) ? value : [value]) result.append(name, item);
  return result;
}

export interface ExchangeTestOutcome {
  readonly passed: boolean;
  readonly latencyMs: number;
  /** The test's last exchange (its run and status), when it got as far as one. */
  readonly lastExchange?: GovernedExchange;
  readonly failure?: FailureClassification & { readonly message: string };
}

/**
 * A connection test that is an exchange rather than a GET (an MCP server's initialize and tools/list):
 * the descriptor's `connectionTest` run with a governed fetch, each of its exchanges a `test` run.
 */
export async function runExchangeTest(governed: GovernedHttpClient, profile: ConnectionProfile, timeoutMs: number): Promise<ExchangeTestOutcome> {
  const exchanges: GovernedExchange[] = [];
  const started = Date.now();
  const test = profile.vendor.connectionTest;
  if (!test || !profile.baseUrl) throw IntegrationError.validation('test_unconfigured', `Provider ${profile.provider.id} has no exchange test`);
  const fetch = governedFetch(governed, {
    tenantId: profile.connection.tenantId,
    connectionId: profile.connection.id,
    endpoint: profile.baseUrl,
    purpose: 'test',
    operationPrefix: 'test',
    timeoutMs,
    idleTimeoutMs: timeoutMs,
    onExchange: (exchange) => exchanges.push(exchange),
  });
  try {
    const session: ExchangeTestContext['session'] = async (operation, work) => {
      try {
        const { run, result } = await governed.session(
          profile.connection.id,
          { tenantId: profile.connection.tenantId, purpose: 'test', operation: `test ${operation}`, metricOperation: 'test' },
          async (opened) => ({ result: await work(opened) }),
        );
        exchanges.push({ runId: run.id, rpcMethod: undefined, status: null });
        return result;
      } catch (error) {
        const run = runOf(error);
        if (run) exchanges.push({ runId: run.id, rpcMethod: undefined, status: null });
        throw error;
      }
    };
    await test({ fetch, endpoint: profile.baseUrl, session, configuration: profile.connection.configuration, timeoutMs });
    return { passed: true, latencyMs: Date.now() - started, lastExchange: exchanges.at(-1) };
  } catch (error) {
    const classification = classifyError(error);
    const message = error instanceof IntegrationError ? error.message : `The test exchange failed: ${classification.code}`;
    return { passed: false, latencyMs: Date.now() - started, lastExchange: exchanges.at(-1), failure: { ...classification, message } };
  }
}
