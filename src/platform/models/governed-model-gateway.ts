import { Injectable } from '@nestjs/common';
import { RequestContext } from '../context/request-context';
import { ConnectionProfile } from '../integrations/connections/connection-profile';
import { ConnectionResolver } from '../integrations/connections/connection-resolver';
import { GovernedHttpClient, GovernedResponse } from '../integrations/governed/governed-http-client';
import { PlatformMetrics } from '../observability/platform-metrics';
import { newId } from '../persistence/ids';
import { IntegrationError } from '../resilience/failure-classifier';
import type { FailureCategory } from '../runs/entities/integration-failure.entity';
import { VendorCatalogue } from '../vendors/vendor-catalogue';
import { GatewayStream } from './gateway-stream';
import { ModelBudgets, estimateTokens, TokenReservation } from './model-budgets';
import {
  ChatCall,
  CompletionAnswer,
  EmbeddingAnswer,
  EmbeddingCall,
  ModelAttempt,
  ModelCallError,
  ModelCallOptions,
  ModelListAnswer,
  ModelSelector,
  ModelStream,
} from './model-calls';
import { answerFailure, error, errorFailure, rateLimitHeadersOf, TargetFailure } from './model-failures';
import { ModelGateway } from './model-gateway';
import { ModelGatewayOptions } from './model-gateway.options';
import { ModelAnswerError, ModelProtocol } from './model-protocol';
import type { ChatCompletionRequest, Usage } from './model-wire';
import { DEFAULT_FALLBACK_ON, ModelRoutes } from './routes/model-routes';

/** One target of a call, resolved: its connection and the provider's protocol. */
interface ResolvedTarget {
  readonly connectionId: string;
  readonly model: string;
  readonly profile: ConnectionProfile;
  readonly protocol: ModelProtocol;
}

interface CallPlan {
  readonly requestId: string;
  readonly targets: readonly { connectionId: string; model: string }[];
  readonly fallbackOn: ReadonlySet<FailureCategory>;
}

/**
 * The model gateway on the governed pipeline. A call names one target (a connection and a model) or a
 * tenant's model route (targets in order). Each attempt is its own IntegrationRun carrying the gateway
 * request id; the next target is tried only for a failure the route falls back on, and for streams only
 * before the first token reached the caller — after it, never: a repeated answer would duplicate text.
 */
@Injectable()
export class GovernedModelGateway extends ModelGateway {
  constructor(
    private readonly governed: GovernedHttpClient,
    private readonly resolver: ConnectionResolver,
    private readonly catalogue: VendorCatalogue,
    private readonly routes: ModelRoutes,
    private readonly budgets: ModelBudgets,
    private readonly metrics: PlatformMetrics,
    private readonly options: ModelGatewayOptions,
  ) {
    super();
  }

  async complete(selector: ModelSelector, call: ChatCall, options: ModelCallOptions = {}): Promise<CompletionAnswer> {
    const plan = await this.plan(selector);
    return this.withFallback(plan, async (target, attempts) => {
      // The protocols drop stream_options from a call that does not stream.
      const request: ChatCompletionRequest = { ...call, model: target.model, stream: false };
      const reservation = await this.budgets.reserve(target.profile, estimateTokens(request));
      let completion: CompletionAnswer['completion'] | undefined;
      let invalid: unknown;
      const answer = await this.send(target, reservation, attempts, plan, 'model.chat', target.protocol.chatRequest(request, contextOf(target)), options, (body) => {
        try {
          completion = target.protocol.chatResult(body, request);
        } catch (caught) {
          invalid = caught;
        }
        return completion?.usage;
      });
      if (!completion) throw invalidAnswer(target, invalid);
      await this.recordUsage(target, reservation, completion.usage);
      return { completion, requestId: plan.requestId, attempts, rateLimitHeaders: rateLimitHeadersOf(answer.headers) };
    });
  }

  async stream(selector: ModelSelector, call: ChatCall, options: ModelCallOptions = {}): Promise<ModelStream> {
    const plan = await this.plan(selector);
    const includeUsage = call.stream_options?.include_usage === true;
    return this.withFallback(plan, async (target, attempts) => {
      // The protocol asks the vendor for usage whatever the caller asked (the ModelProtocol contract).
      const request: ChatCompletionRequest = { ...call, model: target.model, stream: true };
      const reservation = await this.budgets.reserve(target.profile, estimateTokens(request));
      const sentAt = performance.now();
      let answer;
      try {
        answer = await this.governed.stream(target.connectionId, target.protocol.chatRequest(request, contextOf(target)), {
          operation: 'model.stream',
          metricOperation: 'model.stream',
          requestId: plan.requestId,
          model: target.model,
          signal: options.signal,
          timeoutMs: this.timeoutMs(options),
          idleTimeoutMs: this.options.streamIdleTimeoutMs,
        });
      } catch (caught) {
        await this.budgets.release(target.profile, reservation);
        throw this.attemptFailed(attempts, target, caught);
      }
      await this.budgets.observe(target.profile, answer.streaming ? answer.stream.headers : answer.headers);
      if (!answer.streaming) {
        await this.budgets.release(target.profile, reservation);
        throw this.answerFailed(attempts, target, answer);
      }
      const attempt: ModelAttempt = { runId: answer.stream.run.id, connectionId: target.connectionId, providerId: target.profile.provider.id, model: target.model };
      const stream = new GatewayStream(answer.stream, target.protocol.streamDecoder(request), {
        requestId: plan.requestId,
        providerId: target.profile.provider.id,
        connectionId: target.connectionId,
        model: target.model,
        includeUsage,
        sentAt,
        attempts: [...attempts, attempt],
        signal: options.signal,
        onEnd: async ({ usage, firstTokenMs, failed }) => {
          if (firstTokenMs !== undefined) this.metrics.modelTimeToFirstToken.observe({ provider: target.profile.provider.id, model: target.model }, firstTokenMs / 1000);
          if (usage || !failed) await this.recordUsage(target, reservation, usage);
          else await this.budgets.release(target.profile, reservation);
        },
      });
      try {
        await stream.open();
      } catch (caught) {
        throw this.attemptFailed(attempts, target, caught, answer.stream.run.id);
      }
      return stream;
    });
  }

  async embed(selector: ModelSelector, call: EmbeddingCall, options: ModelCallOptions = {}): Promise<EmbeddingAnswer> {
    const plan = await this.plan(selector);
    return this.withFallback(plan, async (target, attempts) => {
      const request = { ...call, model: target.model };
      const reservation = await this.budgets.reserve(target.profile, estimateEmbeddingTokens(call.input));
      let result: EmbeddingAnswer['result'] | undefined;
      let invalid: unknown;
      const answer = await this.send(target, reservation, attempts, plan, 'model.embed', target.protocol.embedRequest(request, contextOf(target)), options, (body) => {
        try {
          result = target.protocol.embedResult(body, request);
        } catch (caught) {
          invalid = caught;
        }
        return result ? { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0, total_tokens: result.usage.total_tokens } : undefined;
      });
      if (!result) throw invalidAnswer(target, invalid);
      await this.recordUsage(target, reservation, { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0, total_tokens: result.usage.total_tokens });
      return { result, requestId: plan.requestId, attempts, rateLimitHeaders: rateLimitHeadersOf(answer.headers) };
    });
  }

  async listModels(connectionId?: string, options: ModelCallOptions = {}): Promise<ModelListAnswer> {
    const tenantId = tenantInScope();
    if (!connectionId) {
      const routes = await this.routes.list(tenantId);
      return { models: routes.map((route) => ({ id: route.name, created: Math.floor(route.createdAt.getTime() / 1000), owned_by: 'model-route', route: true })) };
    }
    const target = await this.resolveTarget(tenantId, { connectionId, model: '' });
    let answer: GovernedResponse;
    try {
      answer = await this.governed.request(connectionId, target.protocol.modelsRequest(contextOf(target)), {
        operation: 'model.list',
        metricOperation: 'model.list',
        timeoutMs: this.timeoutMs(options),
      });
    } catch (caught) {
      throw errorFailure(caught).callError;
    }
    if (answer.failure) throw answerFailure(answer, answer.failure, target.protocol, connectionId).callError;
    try {
      return { models: target.protocol.modelsResult(parseBody(answer.body)).map((model) => ({ ...model, connectionId })) };
    } catch (caught) {
      throw invalidAnswer(target, caught).callError;
    }
  }

  /** Tries the plan's targets in order; a failure the plan falls back on moves to the next, any other ends the call. */
  private async withFallback<T>(plan: CallPlan, attempt: (target: ResolvedTarget, attempts: ModelAttempt[]) => Promise<T>): Promise<T> {
    const tenantId = tenantInScope();
    const attempts: ModelAttempt[] = [];
    let last: TargetFailure | undefined;
    for (const [index, planned] of plan.targets.entries()) {
      let target: ResolvedTarget | undefined;
      try {
        target = await this.resolveTarget(tenantId, planned);
        return await attempt(target, attempts);
      } catch (caught) {
        last = errorFailure(caught);
        // Refused before a run began (unknown connection, spent budget): still an attempt the caller is told of.
        if (!(caught instanceof TargetFailure)) {
          attempts.push({ runId: null, connectionId: planned.connectionId, providerId: target?.profile.provider.id ?? '', model: planned.model, failure: last });
        }
        const more = index < plan.targets.length - 1;
        if (!more || !plan.fallbackOn.has(last.category)) break;
        this.metrics.modelFallbacks.inc({ category: last.category });
      }
    }
    const { status, error: body, details } = last!.callError;
    throw new ModelCallError(status, body, { ...details, attempts, requestId: plan.requestId });
  }

  /** A whole (non-streamed) governed call of one target; its failure recorded in `attempts` and thrown as the target's. */
  private async send(
    target: ResolvedTarget,
    reservation: TokenReservation,
    attempts: ModelAttempt[],
    plan: CallPlan,
    operation: string,
    request: Parameters<GovernedHttpClient['request']>[1],
    options: ModelCallOptions,
    usageOf: (body: unknown) => Usage | undefined,
  ): Promise<GovernedResponse> {
    let answer: GovernedResponse;
    try {
      answer = await this.governed.request(target.connectionId, request, {
        operation,
        metricOperation: operation,
        requestId: plan.requestId,
        model: target.model,
        timeoutMs: this.timeoutMs(options),
        usageOf: ({ body }) => {
          const usage = usageOf(parseBodyOrUndefined(body));
          return usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } : undefined;
        },
      });
    } catch (caught) {
      await this.budgets.release(target.profile, reservation);
      throw this.attemptFailed(attempts, target, caught);
    }
    await this.budgets.observe(target.profile, answer.headers);
    if (answer.failure) {
      await this.budgets.release(target.profile, reservation);
      throw this.answerFailed(attempts, target, answer);
    }
    attempts.push({ runId: answer.run.id, connectionId: target.connectionId, providerId: target.profile.provider.id, model: target.model });
    return answer;
  }

  private answerFailed(attempts: ModelAttempt[], target: ResolvedTarget, answer: GovernedResponse): TargetFailure {
    const failure = answerFailure(answer, answer.failure!, target.protocol, target.connectionId);
    attempts.push({ runId: answer.run.id, connectionId: target.connectionId, providerId: target.profile.provider.id, model: target.model, failure });
    return failure;
  }

  private attemptFailed(attempts: ModelAttempt[], target: ResolvedTarget, caught: unknown, runId?: string): TargetFailure {
    const failure = errorFailure(caught);
    const run = runId ?? (caught as { run?: { id: string } }).run?.id ?? null;
    attempts.push({ runId: run, connectionId: target.connectionId, providerId: target.profile.provider.id, model: target.model, failure });
    return failure;
  }

  private async recordUsage(target: ResolvedTarget, reservation: TokenReservation, usage: Usage | undefined): Promise<void> {
    await this.budgets.settle(target.profile, reservation, usage);
    if (!usage) return;
    const labels = { provider: target.profile.provider.id, model: target.model };
    this.metrics.modelTokens.inc({ ...labels, kind: 'prompt' }, usage.prompt_tokens);
    this.metrics.modelTokens.inc({ ...labels, kind: 'completion' }, usage.completion_tokens);
  }

  /** The selector's targets: the one it names, or its route's. */
  private async plan(selector: ModelSelector): Promise<CallPlan> {
    const requestId = newId('mreq');
    RequestContext.bindIds({ modelRequestId: requestId });
    if (typeof selector.model !== 'string' || selector.model.length === 0) {
      throw new ModelCallError(
        400,
        error('model is required: a model route of the tenant, or a model of the connection named by x-connection-id', 'invalid_request_error', 'missing_model', 'model'),
      );
    }
    if (selector.connectionId) return { requestId, targets: [{ connectionId: selector.connectionId, model: selector.model }], fallbackOn: new Set() };
    const route = await this.routes.find(tenantInScope(), selector.model);
    if (!route) {
      throw new ModelCallError(
        404,
        error(
          `The model ${JSON.stringify(selector.model)} does not exist: name one of the tenant's model routes, or choose a connection with the x-connection-id header`,
          'invalid_request_error',
          'model_not_found',
          'model',
        ),
        { requestId },
      );
    }
    return { requestId, targets: route.targets, fallbackOn: new Set(route.fallbackOn.length > 0 ? route.fallbackOn : DEFAULT_FALLBACK_ON) };
  }

  private async resolveTarget(tenantId: string, planned: { connectionId: string; model: string }): Promise<ResolvedTarget> {
    const profile = await this.resolver.resolve(tenantId, planned.connectionId);
    const protocol = this.catalogue.models(profile.provider.id);
    if (!protocol) {
      throw IntegrationError.validation('not_a_model_connection', `Connection ${planned.connectionId} (provider ${profile.provider.id}) is not a model provider's connection`);
    }
    return { connectionId: planned.connectionId, model: planned.model, profile, protocol };
  }

  /** A deadline bounds every attempt; without one, the gateway's own timeout. */
  private timeoutMs(options: ModelCallOptions): number {
    if (options.deadline === undefined) return this.options.requestTimeoutMs;
    const left = options.deadline - Date.now();
    if (left <= 0) throw IntegrationError.transient('timeout', 'The call’s deadline passed before the vendor was called');
    return Math.min(left, this.options.requestTimeoutMs);
  }
}

function tenantInScope(): string {
  const tenantId = RequestContext.current()?.tenantId;
  if (!tenantId) throw new Error('The model gateway needs a tenant in scope');
  return tenantId;
}

function contextOf(target: ResolvedTarget) {
  return { connectionId: target.connectionId, configuration: target.profile.connection.configuration };
}

function parseBody(body: Buffer): unknown {
  return body.length === 0 ? null : JSON.parse(body.toString('utf8'));
}

function parseBodyOrUndefined(body: Buffer): unknown {
  try {
    return parseBody(body);
  } catch {
    return undefined;
  }
}

function invalidAnswer(target: ResolvedTarget, cause: unknown): TargetFailure {
  const detail = cause instanceof ModelAnswerError ? `: ${cause.message}` : '';
  return new TargetFailure(
    'Poison',
    'invalid_vendor_answer',
    new ModelCallError(
      502,
      error(`The vendor of connection ${target.connectionId} answered something that is not a model answer${detail}`, 'upstream_error', 'invalid_vendor_answer'),
    ),
  );
}

/** Embedding inputs are short texts: a character estimate is close enough to hold a per-minute budget. */
function estimateEmbeddingTokens(input: EmbeddingCall['input']): number {
  const items: readonly unknown[] = Array.isArray(input) ? input : [input];
  let tokens = 0;
  for (const item of items) tokens += typeof item === 'string' ? Math.ceil(item.length / 4) : Array.isArray(item) ? item.length : 1;
  return tokens;
}
