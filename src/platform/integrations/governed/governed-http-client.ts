import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../../context/request-context';
import { EgressClient, EgressResponse, EgressStream, EgressStreamBody } from '../../egress/egress-client';
import { EgressRefusedError } from '../../egress/egress-policy';
import { EgressSockets } from '../../egress/egress-sockets';
import type { ProtocolSession } from '../../vendors/vendor-descriptor';
import { CircuitBreakerRegistry, CircuitOpenError } from '../../resilience/breaker-registry';
import { classifyError, classifyStatus, FailureClassification, HttpStatusError, IntegrationError } from '../../resilience/failure-classifier';
import type { IntegrationRun, RunPurpose, RunState } from '../../runs/entities/integration-run.entity';
import { RunFailure, RunRecorder, RunUsage } from '../../runs/run-recorder';
import { ConnectionProfile } from '../connections/connection-profile';
import { ConnectionResolver } from '../connections/connection-resolver';
import { ConnectionHealthService } from '../connections/connection-health';
import { CredentialInjector } from '../credentials/credential-injector';
import { OAuthRefreshError } from '../auth/built-in-strategies';
import { IntegrationsOptions } from '../integrations.options';
import { runExchangeTest } from './governed-fetch';
import { fromStoredRequest, GovernedMethod, GovernedRequest, resolveVendorUrl, toStoredRequest, validateGovernedRequest } from './governed-request';
import { RateBudgets } from './rate-budgets';

export interface GovernedCallOptions {
  /** Defaults to the tenant in scope. */
  tenantId?: string;
  /** What the run row says was done; defaults to `METHOD /path`. */
  operation?: string;
  /** The bounded metric label (paths are not); defaults to `http.METHOD`. */
  metricOperation?: string;
  /** Default `call`. A `test` may run on a Pending connection; a `verification` runs a rotation's candidate version. */
  purpose?: Exclude<RunPurpose, 'probe'>;
  idempotencyKey?: string;
  timeoutMs?: number;
  /** A caller whose bodies are large by design (an object's parts) names its own limit; default INTEGRATION request body limit. */
  maxBodyBytes?: number;
  /** Use this version of the connection's credential instead of the current one (rotation verification). */
  credentialVersion?: string;
  /**
   * A background caller's share of the rate budgets (0–1) left to interactive calls. When set the budgets
   * are spent before any run is recorded: a refusal (IntegrationError `rate_budget_exhausted`, with
   * `retryAfterMs`) means "not now", and leaves no failed run behind.
   */
  budgetReserve?: number;
  /** Recorded on the run: the model gateway request it is an attempt of, and the model. */
  requestId?: string;
  model?: string;
  /** What a successful answer consumed (a model call's tokens), recorded on its run. */
  usageOf?: (answer: { status: number; headers: Record<string, string | string[]>; body: Buffer }) => RunUsage | undefined;
}

export interface GovernedResponse {
  run: IntegrationRun;
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  latencyMs: number;
  /** How the vendor's rules read a failed answer (a rate limit answered as 403): what the run recorded. */
  failure?: FailureClassification;
}

export interface GovernedStreamOptions extends Omit<GovernedCallOptions, 'purpose' | 'credentialVersion' | 'usageOf'> {
  /** Default `call`; a `test` may run on a Pending connection (a protocol whose test is an exchange, not a GET). */
  purpose?: 'call' | 'test';
  /** Longest silence between two chunks (default EGRESS_STREAM_IDLE_TIMEOUT); `timeoutMs` covers the response headers. */
  idleTimeoutMs?: number;
  /** The caller went away: the request to the vendor is aborted at once. */
  signal?: AbortSignal;
}

/** What the caller measured of a stream that ended as its protocol says it ends. */
export interface StreamSummary {
  usage?: RunUsage;
  firstTokenMs?: number;
}

/**
 * A 2xx answer whose body is being streamed. Its run is Running until the caller ends it: `complete` at
 * the stream's proper end, `fail` when it was cut, errored, stalled or abandoned (the connection to the
 * vendor is closed at once). Exactly one of them records the run; later calls return the same run.
 */
export interface GovernedStream {
  readonly run: IntegrationRun;
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: AsyncIterable<Buffer>;
  /** Until the response headers arrived. */
  readonly headersLatencyMs: number;
  complete(summary: StreamSummary): Promise<IntegrationRun>;
  fail(error: unknown, summary?: StreamSummary): Promise<IntegrationRun>;
}

export interface GovernedSessionOptions {
  tenantId?: string;
  /** What the run row says was done (`smtp.send`). */
  operation: string;
  /** The bounded metric label; defaults to `operation`. */
  metricOperation?: string;
  /** Default `call`; a `test` may run on a Pending connection and spends no budget. */
  purpose?: 'call' | 'test';
  idempotencyKey?: string;
  credentialVersion?: string;
  /** As GovernedCallOptions.budgetReserve: set, the budgets are spent before the run is recorded. */
  budgetReserve?: number;
}

/** What an exchange of another protocol gets from the pipeline: the connection, its credential, policy-checked sockets. */
export interface GovernedSession extends ProtocolSession {
  readonly profile: ConnectionProfile;
}

/** What the exchange reports back: its result, and the vendor's reference for what it did (a message id). */
export interface SessionOutcome<T> {
  result: T;
  externalRef?: string | null;
}

export type GovernedStreamAnswer = { readonly streaming: true; readonly stream: GovernedStream } | ({ readonly streaming: false } & GovernedResponse);

/** Error bodies of a streaming endpoint are read whole, up to this size. */
const MAX_STREAM_ERROR_BODY_BYTES = 256 * 1024;

export interface ProbeResult {
  passed: boolean;
  latencyMs: number;
  status: number | null;
  failure?: FailureClassification;
}

/** The connection exists but may not run now; `category` says whether waiting helps (Transient) or not (Validation). */
export class ConnectionNotRunnableError extends IntegrationError {}

/** A vendor answer that counts against its endpoint's breaker (5xx, 429, 408): thrown inside the breaker, unwrapped outside. */
class BreakerCountedAnswer extends HttpStatusError {
  constructor(
    readonly response: EgressResponse,
    classification: FailureClassification,
  ) {
    super(response.status, classification);
  }
}

/**
 * The one way vendor calls leave the platform:
 * resolve the connection (tenant-scoped, must be runnable) → validate the request → IntegrationRun
 * (Running) → credential injection → rate budgets (connection, provider endpoint) → the endpoint's
 * circuit breaker → the egress client (allow-list and SSRF guard on the connected address, timeout,
 * no redirects) → classification → the attempt recorded and the outcome published.
 *
 * It makes one attempt per run. Retrying is the IntegrationRetryWorker's job (async runs) or the
 * caller's (sync calls): one retry layer only. The single exception is OAuth: a 401 on a token the
 * vendor dropped early renews the token and re-sends once, inside the same attempt.
 */
@Injectable()
export class GovernedHttpClient {
  private readonly logger = new Logger(GovernedHttpClient.name);

  constructor(
    private readonly resolver: ConnectionResolver,
    private readonly injector: CredentialInjector,
    private readonly budgets: RateBudgets,
    private readonly breakers: CircuitBreakerRegistry,
    private readonly egress: EgressClient,
    private readonly sockets: EgressSockets,
    private readonly runs: RunRecorder,
    private readonly health: ConnectionHealthService,
    private readonly options: IntegrationsOptions,
  ) {}

  /** A synchronous call: the caller gets the vendor's answer (any status) with its run, or an IntegrationError when no answer was had. */
  async request(connectionId: string, request: GovernedRequest, options: GovernedCallOptions = {}): Promise<GovernedResponse> {
    const { profile, method, url, run } = await this.begin(connectionId, request, options.purpose ?? 'call', options);
    let outcome: Awaited<ReturnType<GovernedHttpClient['attempt']>>;
    try {
      outcome = await this.attempt(profile, run, method, url, request, options);
    } catch (error) {
      // Every started run ends recorded, whatever escaped the attempt.
      if (run.state === 'Running') await this.runs.refuse(run, this.failureOf(error));
      throw error;
    }
    const { status, headers, body, latencyMs } = outcome.response!;
    return { run: outcome.run, status, headers, body, latencyMs, ...(outcome.failure ? { failure: outcome.failure } : {}) };
  }

  /**
   * A call whose answer is streamed (server-sent events, NDJSON): the same pipeline as `request` up to the
   * response headers (run, budgets, breaker, egress policy, credentials), then the body's bytes handed
   * over as they arrive, nothing buffered. A non-2xx answer is read whole and recorded like any answer
   * (`streaming: false`); a 2xx answer's run stays Running until the caller ends the stream.
   */
  async stream(connectionId: string, request: GovernedRequest, options: GovernedStreamOptions = {}): Promise<GovernedStreamAnswer> {
    const { profile, method, url, run } = await this.begin(connectionId, request, options.purpose ?? 'call', options);
    const labels = { operation: options.metricOperation ?? `stream.${method}` };
    const startedAt = new Date();
    let opened: EgressStream;
    try {
      if (options.budgetReserve === undefined && options.purpose !== 'test') await this.budgets.spend(profile);
      opened = await this.breakers.execute(profile.breakerKey, () => this.openStream(profile, method, url, request, options));
    } catch (error) {
      if (error instanceof BreakerCountedAnswer) return { streaming: false, ...(await this.settleAnswer(profile, run, startedAt, error.response, labels)) };
      if (run.state === 'Running') {
        if (isRefusalBeforeSending(error)) await this.runs.refuse(run, this.failureOf(error));
        else await this.runs.finishAttempt(run, { startedAt, latencyMs: Date.now() - startedAt.getTime(), statusCode: null, failure: this.failureOf(error) }, labels);
      }
      throw withRun(error, run);
    }
    const answered = { status: opened.status, headers: opened.headers, body: Buffer.alloc(0) };
    if (this.failureIn(profile, answered)) {
      const body = await readWhole(opened.body, MAX_STREAM_ERROR_BODY_BYTES);
      return { streaming: false, ...(await this.settleAnswer(profile, run, startedAt, { ...answered, body, latencyMs: opened.latencyMs }, labels)) };
    }
    await this.budgets.observe(profile, opened.status, opened.headers);
    return { streaming: true, stream: this.governedStream(run, opened, startedAt, labels) };
  }

  /**
   * A governed exchange in a protocol other than HTTP (SMTP): the same pipeline around it (tenant's
   * runnable connection, run, budgets, the endpoint's breaker), with the exchange itself done by `work`,
   * which opens its sockets through EgressSockets (the same destination policy) and throws an
   * IntegrationError classifying its failure. One run, one attempt, as `request`.
   */
  async session<T>(
    connectionId: string,
    options: GovernedSessionOptions,
    work: (session: GovernedSession) => Promise<SessionOutcome<T>>,
  ): Promise<{ run: IntegrationRun; result: T }> {
    const tenantId = options.tenantId ?? RequestContext.current()?.tenantId;
    if (!tenantId) throw new Error('A governed session needs a tenant: none in scope and none given');
    RequestContext.bindIds({ connectionId });
    const purpose = options.purpose ?? 'call';
    const profile = await this.resolver.resolve(tenantId, connectionId);
    this.assertRunnable(profile, purpose);
    const spendsFirst = purpose === 'call' && options.budgetReserve !== undefined;
    if (spendsFirst) await this.budgets.spend(profile, { reserveShare: options.budgetReserve });
    const run = await this.runs.begin({
      tenantId,
      connectionId,
      providerId: profile.provider.id,
      operation: options.operation,
      mode: 'sync',
      purpose,
      state: 'Running',
      idempotencyKey: options.idempotencyKey,
    });
    const labels = { operation: options.metricOperation ?? options.operation };
    const startedAt = new Date();
    const session: GovernedSession = {
      profile,
      secret: () => this.injector.secret(profile, options.credentialVersion),
      socket: (destination) => this.sockets.connect(destination),
    };
    try {
      if (purpose === 'call' && !spendsFirst) await this.budgets.spend(profile);
      const outcome = await this.breakers.execute(profile.breakerKey, () => work(session));
      await this.runs.finishAttempt(
        run,
        { startedAt, latencyMs: Date.now() - startedAt.getTime(), statusCode: null, externalRef: outcome.externalRef?.slice(0, 256) ?? null },
        labels,
      );
      return { run, result: outcome.result };
    } catch (error) {
      if (run.state === 'Running') {
        if (isRefusalBeforeSending(error)) await this.runs.refuse(run, this.failureOf(error));
        else await this.runs.finishAttempt(run, { startedAt, latencyMs: Date.now() - startedAt.getTime(), statusCode: null, failure: this.failureOf(error) }, labels);
      }
      throw withRun(error, run);
    }
  }

  /** Up to the run: the tenant's connection, runnable for this purpose; the request checked; a background caller's budget share spent; the run Running. */
  private async begin(
    connectionId: string,
    request: GovernedRequest,
    purpose: Exclude<RunPurpose, 'probe'>,
    options: Omit<GovernedCallOptions, 'purpose' | 'usageOf'>,
  ): Promise<{ profile: ConnectionProfile; method: GovernedMethod; url: URL; run: IntegrationRun }> {
    const tenantId = options.tenantId ?? RequestContext.current()?.tenantId;
    if (!tenantId) throw new Error('A governed call needs a tenant: none in scope and none given');
    RequestContext.bindIds({ connectionId });
    const profile = await this.resolver.resolve(tenantId, connectionId);
    this.assertRunnable(profile, purpose);
    const method = validateGovernedRequest(request, { maxBodyBytes: options.maxBodyBytes ?? this.options.maxRequestBodyBytes, apiKeyHeader: profile.apiKeyHeader });
    const url = this.vendorUrl(profile, request);
    if (options.budgetReserve !== undefined) await this.budgets.spend(profile, { reserveShare: options.budgetReserve });
    const run = await this.runs.begin({
      tenantId,
      connectionId,
      providerId: profile.provider.id,
      operation: options.operation ?? `${method} ${request.path}`,
      mode: 'sync',
      purpose,
      state: 'Running',
      idempotencyKey: options.idempotencyKey,
      requestId: options.requestId,
      model: options.model,
    });
    return { profile, method, url, run };
  }

  /** The stream's run ends once, whichever of the caller's paths gets there first. */
  private governedStream(run: IntegrationRun, opened: EgressStream, startedAt: Date, labels: { operation: string }): GovernedStream {
    let ended: Promise<IntegrationRun> | undefined;
    const latencyMs = () => Date.now() - startedAt.getTime();
    return {
      run,
      status: opened.status,
      headers: opened.headers,
      body: opened.body,
      headersLatencyMs: opened.latencyMs,
      complete: (summary) =>
        (ended ??= this.runs.finishAttempt(
          run,
          { startedAt, latencyMs: latencyMs(), statusCode: opened.status, usage: summary.usage, firstTokenMs: summary.firstTokenMs },
          labels,
        )),
      fail: (error, summary = {}) => {
        opened.body.close();
        return (ended ??= this.runs.finishAttempt(
          run,
          { startedAt, latencyMs: latencyMs(), statusCode: opened.status, failure: this.failureOf(error), usage: summary.usage, firstTokenMs: summary.firstTokenMs },
          labels,
        ));
      },
    };
  }

  /** Opens the streamed exchange with credentials; a rejected OAuth token is renewed and the request re-sent once, as in `send`. */
  private async openStream(profile: ConnectionProfile, method: GovernedMethod, url: URL, request: GovernedRequest, options: GovernedStreamOptions): Promise<EgressStream> {
    const vendorHeaders = profile.vendor.defaultHeaders ? lowerCased(profile.vendor.defaultHeaders(profile.connection.configuration)) : {};
    const exchange = async () => {
      const unsigned = { 'user-agent': 'integration-platform', accept: 'application/json', ...vendorHeaders, ...lowerCased(request.headers ?? {}) };
      const credentials = await this.injector.headers(profile, undefined, { method, url, headers: unsigned, body: request.body });
      const headers = { ...unsigned, ...credentials };
      const opened = await this.egress.stream({
        url,
        method,
        headers,
        body: request.body,
        timeoutMs: options.timeoutMs ?? this.options.requestTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        signal: options.signal,
      });
      return { credentials, opened };
    };
    const first = await exchange();
    let opened = first.opened;
    if (opened.status === 401 && (await this.injector.rejected(profile, first.credentials))) {
      opened.body.close();
      opened = (await exchange()).opened;
    }
    const failure = this.failureIn(profile, { status: opened.status, headers: opened.headers, body: Buffer.alloc(0) });
    if (failure?.category === 'Transient' || failure?.category === 'RateLimited') {
      const body = await readWhole(opened.body, MAX_STREAM_ERROR_BODY_BYTES);
      throw new BreakerCountedAnswer({ status: opened.status, headers: opened.headers, body, latencyMs: opened.latencyMs }, failure);
    }
    return opened;
  }

  /** A whole (non-streamed) answer of a stream request, recorded as `attempt` records any answer. */
  private async settleAnswer(profile: ConnectionProfile, run: IntegrationRun, startedAt: Date, response: EgressResponse, labels: { operation: string }): Promise<GovernedResponse> {
    const classified = this.failureIn(profile, response);
    const failure = classified ? { ...classified, message: `The vendor answered HTTP ${response.status}` } : undefined;
    await this.budgets.observe(profile, response.status, response.headers, failure);
    await this.runs.finishAttempt(run, { startedAt, latencyMs: Math.round(response.latencyMs), statusCode: response.status, failure }, labels);
    return { run, status: response.status, headers: response.headers, body: response.body, latencyMs: response.latencyMs, ...(failure ? { failure } : {}) };
  }

  /** An asynchronous call: a Pending run holding the request, executed later by `execute` (ExecuteIntegrationRun). */
  async prepare(connectionId: string, request: GovernedRequest, options: GovernedCallOptions = {}): Promise<IntegrationRun> {
    const tenantId = options.tenantId ?? RequestContext.current()?.tenantId;
    if (!tenantId) throw new Error('GovernedHttpClient.prepare needs a tenant: none in scope and none given');
    const profile = await this.resolver.resolve(tenantId, connectionId);
    if (profile.connection.status === 'Retired') throw this.notRunnable(profile);
    if (profile.inboundOnly) throw this.inboundOnly(profile);
    const method = validateGovernedRequest(request, { maxBodyBytes: this.options.maxRequestBodyBytes, apiKeyHeader: profile.apiKeyHeader });
    this.vendorUrl(profile, request);
    return this.runs.create({
      tenantId,
      connectionId,
      providerId: profile.provider.id,
      operation: options.operation ?? `${method} ${request.path}`,
      mode: 'async',
      purpose: options.purpose ?? 'call',
      state: 'Pending',
      request: toStoredRequest(method, request),
      idempotencyKey: options.idempotencyKey,
    });
  }

  /**
   * One attempt of a stored (async) run, if it is still waiting for one (Pending, or Retrying after a
   * failure). A duplicate command finds it claimed and returns undefined.
   */
  async execute(run: IntegrationRun, from: readonly RunState[] = ['Pending', 'Retrying']): Promise<IntegrationRun | undefined> {
    if (!run.request) throw IntegrationError.poison('run_without_request', `Run ${run.id} holds no request to execute`);
    RequestContext.bindIds({ runId: run.id, connectionId: run.connectionId });
    let profile: ConnectionProfile;
    try {
      profile = await this.resolver.resolve(run.tenantId, run.connectionId);
      this.assertRunnable(profile, run.purpose);
    } catch (error) {
      if (!(await this.runs.claim(run, from))) return undefined;
      return this.runs.refuse(run, this.failureOf(error));
    }
    if (!(await this.runs.claim(run, from))) return undefined;
    const request = fromStoredRequest(run.request);
    const method = request.method as GovernedMethod;
    try {
      const url = this.vendorUrl(profile, request);
      return (await this.attempt(profile, run, method, url, request, {})).run;
    } catch (error) {
      if (run.state === 'Running') return this.runs.refuse(run, this.failureOf(error));
      throw error;
    }
  }

  /**
   * The health worker's probe: the connection's health path with its credential, past the budgets and
   * the breaker (the probe is what judges the endpoint), recorded as health history, not as a run.
   */
  async probe(profile: ConnectionProfile, timeoutMs: number): Promise<ProbeResult> {
    const started = Date.now();
    if (profile.vendor.connectionTest) {
      // An exchange test (an SDK session) goes through the pipeline: its exchanges are test runs.
      const outcome = await runExchangeTest(this, profile, timeoutMs);
      return { passed: outcome.passed, latencyMs: outcome.latencyMs, status: outcome.lastExchange?.status ?? null, ...(outcome.failure ? { failure: outcome.failure } : {}) };
    }
    try {
      if (!profile.healthPath || !profile.baseUrl) throw IntegrationError.validation('probe_unconfigured', 'The connection has no health path or base URL');
      const url = this.vendorUrl(profile, { path: pathOf(profile.healthPath), query: queryOf(profile.healthPath) });
      const response = await this.send(profile, 'GET', url, {}, undefined, timeoutMs, undefined).catch((error: unknown) => {
        if (error instanceof BreakerCountedAnswer) return error.response;
        throw error;
      });
      const failure = this.failureIn(profile, response);
      return { passed: failure === undefined, latencyMs: Math.round(response.latencyMs), status: response.status, ...(failure ? { failure } : {}) };
    } catch (error) {
      return { passed: false, latencyMs: Date.now() - started, status: null, failure: classifyError(error) };
    }
  }

  /** The connection's test: its health path as a recorded run (purpose `test`, or `verification` with a candidate credential version). */
  async test(profile: ConnectionProfile, options: { timeoutMs: number; credentialVersion?: string; purpose?: 'test' | 'verification' }): Promise<GovernedResponse> {
    if (!profile.healthPath) {
      throw IntegrationError.validation('test_unconfigured', `Provider ${profile.provider.id} has no default test call: set configuration.healthPath`);
    }
    return this.request(
      profile.connection.id,
      { method: 'GET', path: pathOf(profile.healthPath), query: queryOf(profile.healthPath) },
      {
        tenantId: profile.connection.tenantId,
        purpose: options.purpose ?? 'test',
        timeoutMs: options.timeoutMs,
        credentialVersion: options.credentialVersion,
        operation: `${options.purpose ?? 'test'} GET ${profile.healthPath}`,
        metricOperation: options.purpose ?? 'test',
      },
    );
  }

  private async attempt(
    profile: ConnectionProfile,
    run: IntegrationRun,
    method: GovernedMethod,
    url: URL,
    request: GovernedRequest,
    options: GovernedCallOptions,
  ): Promise<{ run: IntegrationRun; response?: EgressResponse; failure?: FailureClassification }> {
    const startedAt = new Date();
    const labels = { operation: options.metricOperation ?? `http.${method}` };
    let response: EgressResponse;
    try {
      if (spendsBudget(options) && options.budgetReserve === undefined) await this.budgets.spend(profile);
      response = await this.breakers.execute(profile.breakerKey, () =>
        this.send(
          profile,
          method,
          url,
          withIdempotencyHeader(profile, run, request.headers ?? {}),
          request.body,
          options.timeoutMs ?? this.options.requestTimeoutMs,
          options.credentialVersion,
        ),
      );
    } catch (error) {
      if (error instanceof BreakerCountedAnswer) {
        response = error.response;
      } else if (isRefusalBeforeSending(error)) {
        await this.runs.refuse(run, this.failureOf(error));
        throw withRun(error, run);
      } else {
        if (error instanceof OAuthRefreshError && error.category === 'Auth') await this.health.markCredentialFailure(profile, error.code);
        // No answer from the vendor: the error is the attempt's outcome.
        await this.runs.finishAttempt(run, { startedAt, latencyMs: Date.now() - startedAt.getTime(), statusCode: null, failure: this.failureOf(error) }, labels);
        throw withRun(error, run);
      }
    }
    // 304 answers a conditional request: nothing changed, and the vendor charged nothing for saying so.
    const notModified = response.status === 304;
    if (notModified && spendsBudget(options)) await this.budgets.refund(profile);
    const classified = notModified ? undefined : this.failureIn(profile, response);
    const failure = classified ? { ...classified, message: `The vendor answered HTTP ${response.status}` } : undefined;
    const succeeded = failure === undefined;
    await this.budgets.observe(profile, response.status, response.headers, failure);
    if (failure?.category === 'Auth' && profile.connection.status === 'Active') {
      this.logger.warn({ msg: 'Vendor refused the connection’s credential', status: response.status, providerId: profile.provider.id });
    }
    // Whole milliseconds: runs and health history store latency as an integer (PostgreSQL refuses a fraction).
    await this.runs.finishAttempt(
      run,
      {
        startedAt,
        latencyMs: Math.round(response.latencyMs),
        statusCode: response.status,
        failure,
        externalRef: succeeded && method !== 'GET' && method !== 'HEAD' ? externalRefOf(response) : null,
        usage: succeeded ? options.usageOf?.(response) : undefined,
      },
      labels,
    );
    return { run, response, failure };
  }

  /** One HTTP exchange with credentials; an OAuth token the vendor rejects is renewed and the request re-sent once. */
  private async send(
    profile: ConnectionProfile,
    method: GovernedMethod,
    url: URL,
    callerHeaders: Record<string, string>,
    body: string | Buffer | undefined,
    timeoutMs: number,
    credentialVersion: string | undefined,
  ): Promise<EgressResponse> {
    const vendorHeaders = profile.vendor.defaultHeaders ? lowerCased(profile.vendor.defaultHeaders(profile.connection.configuration)) : {};
    const exchange = async () => {
      const unsigned = { 'user-agent': 'integration-platform', accept: 'application/json', ...vendorHeaders, ...lowerCased(callerHeaders) };
      const credentials = await this.injector.headers(profile, credentialVersion, { method, url, headers: unsigned, body });
      const headers = { ...unsigned, ...credentials };
      return { credentials, response: await this.egress.request({ url, method, headers, body, timeoutMs }) };
    };
    const first = await exchange();
    let response = first.response;
    // A token the vendor dropped before its stated expiry: the strategy renews it, and the call is sent once more.
    if (response.status === 401 && (await this.injector.rejected(profile, first.credentials, credentialVersion))) {
      response = (await exchange()).response;
    }
    const failure = this.failureIn(profile, response);
    if (failure?.category === 'Transient' || failure?.category === 'RateLimited') throw new BreakerCountedAnswer(response, failure);
    return response;
  }

  private assertRunnable(profile: ConnectionProfile, purpose: RunPurpose): void {
    const { status, health } = profile.connection;
    if (status === 'Retired') throw this.notRunnable(profile);
    if (profile.inboundOnly) throw this.inboundOnly(profile);
    if (purpose === 'test' || purpose === 'verification' || purpose === 'probe') return;
    if (status !== 'Active') {
      throw new ConnectionNotRunnableError('Transient', 'connection_not_active', `Connection ${profile.connection.id} is ${status}; runs start only on an Active connection`);
    }
    if (health === 'Unhealthy') {
      // The health worker's verdict, shared through the store: hold this replica's breaker open too.
      this.breakers.forceOpen(profile.breakerKey, Date.now() + this.options.connectionCacheTtlMs + 1000);
    } else if (this.breakers.isForcedOpen(profile.breakerKey)) {
      this.breakers.forceClose(profile.breakerKey);
    }
  }

  private notRunnable(profile: ConnectionProfile): ConnectionNotRunnableError {
    return new ConnectionNotRunnableError('Validation', 'connection_retired', `Connection ${profile.connection.id} is retired and accepts no runs`);
  }

  private inboundOnly(profile: ConnectionProfile): ConnectionNotRunnableError {
    const missing = profile.baseUrl ? `credential for auth ${profile.auth} (credentialId)` : 'API to call (no base URL)';
    return new ConnectionNotRunnableError(
      'Validation',
      'connection_inbound_only',
      `Connection ${profile.connection.id} is inbound-only: it receives webhooks but has no ${missing}; governed calls need a connection with one`,
    );
  }

  /** The request's URL under the connection's base URL, with the vendor's default query parameters the caller did not set. */
  private vendorUrl(profile: ConnectionProfile, request: Pick<GovernedRequest, 'path' | 'query'>): URL {
    if (!profile.baseUrl) throw IntegrationError.validation('base_url_missing', `Connection ${profile.connection.id} has no base URL: set configuration.baseUrl`);
    const defaults = profile.vendor.defaultQuery?.(profile.connection.configuration);
    if (!defaults) return resolveVendorUrl(profile.baseUrl, request);
    const query: Record<string, string | string[]> = { ...(request.query ?? {}) };
    for (const [name, value] of Object.entries(defaults)) if (!(name in query)) query[name] = value;
    return resolveVendorUrl(profile.baseUrl, { path: request.path, query });
  }

  /**
   * Whether an answer is a failure, and of which kind: the vendor's own rules first (a rate limit
   * answered as 403; a sign-in page answered as 203), else HTTP's (anything but 2xx).
   */
  private failureIn(profile: ConnectionProfile, response: Pick<EgressResponse, 'status' | 'headers' | 'body'>): FailureClassification | undefined {
    const vendorVerdict = profile.vendor.classify?.(response);
    if (vendorVerdict) return vendorVerdict;
    return response.status >= 200 && response.status < 300 ? undefined : classifyStatus(response.status, response.headers);
  }

  private failureOf(error: unknown): RunFailure {
    const classification = classifyError(error);
    const message = error instanceof IntegrationError ? error.message : `The call failed: ${classification.code}`;
    return { ...classification, message };
  }
}

/** An error answer's body, read to its end or to `limit` bytes (the rest is dropped with the connection). */
async function readWhole(body: EgressStreamBody, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut while reading an error answer: the status already says what happened.
  } finally {
    body.close();
  }
  return Buffer.concat(chunks, Math.min(size, limit)).subarray(0, limit);
}

/** The run's idempotency key on the header the vendor takes it on, unless the caller set that header itself. */
function withIdempotencyHeader(profile: ConnectionProfile, run: IntegrationRun, headers: Record<string, string>): Record<string, string> {
  const name = profile.vendor.idempotencyHeader;
  if (!name || !run.idempotencyKey) return headers;
  const lower = name.toLowerCase();
  if (Object.keys(headers).some((header) => header.toLowerCase() === lower)) return headers;
  return { ...headers, [lower]: run.idempotencyKey };
}

function spendsBudget(options: GovernedCallOptions): boolean {
  return options.purpose !== 'test' && options.purpose !== 'verification';
}

/** Refused by our own governance (budget, breaker, egress policy, credential) before a byte went to the vendor. */
function isRefusalBeforeSending(error: unknown): boolean {
  if (error instanceof CircuitOpenError || error instanceof EgressRefusedError) return true;
  return error instanceof IntegrationError && ['rate_budget_exhausted', 'credential_missing', 'credential_disabled', 'token_url_missing'].includes(error.code);
}

/** Attaches the run to an error leaving the pipeline, so an API can still name the run. */
export function withRun<T>(error: T, run: IntegrationRun): T {
  if (error instanceof Error) Object.assign(error, { run });
  return error;
}

export function runOf(error: unknown): IntegrationRun | undefined {
  return error instanceof Error ? (error as Error & { run?: IntegrationRun }).run : undefined;
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

function pathOf(pathWithQuery: string): string {
  const index = pathWithQuery.indexOf('?');
  return index === -1 ? pathWithQuery : pathWithQuery.slice(0, index);
}

function queryOf(pathWithQuery: string): Record<string, string[]> | undefined {
  const index = pathWithQuery.indexOf('?');
  if (index === -1) return undefined;
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(pathWithQuery.slice(index + 1))) (query[name] ??= []).push(value);
  return query;
}

/** The vendor's id for what a write created or changed: a JSON `id`, else the Location header (reads have none). */
function externalRefOf(response: EgressResponse): string | null {
  const contentType = String(response.headers['content-type'] ?? '');
  if (contentType.includes('json') && response.body.length > 0 && response.body.length < 1_048_576) {
    try {
      const id = (JSON.parse(response.body.toString('utf8')) as { id?: unknown })?.id;
      if (typeof id === 'string' || typeof id === 'number') return String(id).slice(0, 256);
    } catch {
      // not JSON after all: no reference
    }
  }
  const location = response.headers.location;
  return typeof location === 'string' ? location.slice(0, 256) : null;
}
