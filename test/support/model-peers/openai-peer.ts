import type { ServerResponse } from 'node:http';
import { headerValue, PeerResponse, writeResponse } from '../peer-http';
import { AZURE_DIALECT, AZURE_OPERATION_NAMES, azureCredentialProblem, azureHeaders, azureModelList, AzureRoute, matchAzurePath } from './azure-paths';
import {
  completionTokens,
  DEFAULT_EMBEDDING_DIMENSIONS,
  embeddingInputTokens,
  embeddingItems,
  embeddingVector,
  planAnswer,
  promptTokens,
  toolToCall,
} from './deterministic-answers';
import { ModelPeerOptions, ModelPeerRequest, ModelPeerServer } from './model-peer-server';
import {
  AZURE_RESOURCE_NOT_FOUND,
  defaultAzureError,
  defaultOpenAIError,
  incorrectApiKey,
  invalidUrl,
  malformedJson,
  missingApiKey,
  missingParameter,
  openAIError,
  OpenAIErrorBody,
  SERVER_HAD_AN_ERROR,
} from './openai-errors';
import { defaultRateLimit, exhaustedRateLimitHeaders, OpenAIRateLimit, rateLimitHeaders } from './openai-rate-limit';
import { chatCompletion, chatCompletionStream, CompletionDialect, embeddingList, OPENAI_DIALECT, OPENAI_MODELS, SSE_DONE, sseErrorFrame } from './openai-wire';
import type { ScriptedError } from './scripting';

export interface OpenAIPeerOptions extends ModelPeerOptions {
  /** The key OpenAI's paths accept as `Authorization: Bearer` (default `sk-test-openai`). */
  apiKey?: string;
  /** The `api-key` Azure's paths accept (default `azure-test-key`). */
  azureApiKey?: string;
  /** An Entra ID token Azure's paths also accept as `Authorization: Bearer`. */
  azureBearerToken?: string;
}

type Operation = 'chat' | 'embeddings';

/** What differs between OpenAI's paths and Azure's around the same answers. */
interface Surface {
  readonly dialect: CompletionDialect;
  /** Headers of every answer. */
  headers(): Record<string, string>;
  /** The vendor's own body and extra headers for an error status. */
  errorDefaults(status: number, operation: Operation, model: string): { body: unknown; headers: Record<string, string> };
  readonly streamError: unknown;
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  tools?: unknown;
  tool_choice?: unknown;
  response_format?: { type?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

interface EmbeddingBody {
  model?: unknown;
  input?: unknown;
  dimensions?: unknown;
  encoding_format?: unknown;
}

const AZURE_THROTTLED_HEADERS: Record<string, string> = {
  'retry-after': '1',
  'retry-after-ms': '1000',
  'x-ratelimit-remaining-requests': '0',
  'x-ratelimit-remaining-tokens': '0',
};
const JSON_CONTENT = { 'content-type': 'application/json' };
const SSE_CONTENT = { 'content-type': 'text/event-stream; charset=utf-8' };

/**
 * OpenAI's API (`/v1/...`, Bearer keys, `x-ratelimit-*` headers) and Azure OpenAI's data plane
 * (`/openai/deployments/{deployment}/...?api-version=`, `api-key` or Entra ID tokens, content filter
 * annotations) on one server, answering chat completions (streamed or not, text, tool calls, JSON),
 * embeddings and model lists deterministically, with scripted faults.
 */
export class OpenAIPeer extends ModelPeerServer {
  /** The `x-ratelimit-*` values every answer carries. */
  rateLimit: OpenAIRateLimit = defaultRateLimit();
  private readonly apiKey: string;
  private readonly azureApiKey: string;
  private readonly azureBearerToken: string | undefined;
  private answered = 0;

  private constructor(options: OpenAIPeerOptions) {
    super(options);
    this.apiKey = options.apiKey ?? 'sk-test-openai';
    this.azureApiKey = options.azureApiKey ?? 'azure-test-key';
    this.azureBearerToken = options.azureBearerToken;
  }

  static async start(options: OpenAIPeerOptions = {}): Promise<OpenAIPeer> {
    const peer = new OpenAIPeer(options);
    await peer.listen();
    return peer;
  }

  /** OpenAI's base URL on this peer (the Azure endpoint is `url`). */
  get openAIBaseUrl(): string {
    return `${this.url}/v1`;
  }

  override reset(): void {
    super.reset();
    this.rateLimit = defaultRateLimit();
  }

  protected async handle(request: ModelPeerRequest, response: ServerResponse): Promise<void> {
    const azureRoute = matchAzurePath(request.method, request.path);
    if (azureRoute) return this.handleAzure(request, response, azureRoute);
    const surface = this.openAISurface(request);
    const credentialProblem = this.openAICredentialProblem(request);
    if (credentialProblem) return send(response, surface, 401, credentialProblem);
    const model = (request.body as { model?: unknown } | null)?.model;
    if (request.method === 'POST' && request.path === '/v1/chat/completions') return this.chat(request, response, surface, model);
    if (request.method === 'POST' && request.path === '/v1/embeddings') return this.embeddings(request, response, surface, model);
    if (request.method === 'GET' && request.path === '/v1/models') {
      return send(response, surface, 200, { object: 'list', data: OPENAI_MODELS.map(({ id, created }) => ({ id, object: 'model', created, owned_by: 'system' })) });
    }
    send(response, surface, 404, invalidUrl(request.method, request.path));
  }

  private async handleAzure(request: ModelPeerRequest, response: ServerResponse, route: AzureRoute): Promise<void> {
    const apiVersion = request.searchParams.get('api-version');
    const deployment = 'deployment' in route ? route.deployment : undefined;
    const surface = this.azureSurface(apiVersion ?? '', deployment);
    if (!apiVersion || route.kind === 'unknown') return send(response, surface, 404, AZURE_RESOURCE_NOT_FOUND);
    const credentialProblem = azureCredentialProblem(request.headers, this.azureApiKey, this.azureBearerToken);
    if (credentialProblem) return send(response, surface, 401, credentialProblem);
    if (route.kind === 'models') return send(response, surface, 200, azureModelList());
    if (route.kind === 'chat') return this.chat(request, response, surface, route.deployment);
    return this.embeddings(request, response, surface, route.deployment);
  }

  private async chat(request: ModelPeerRequest, response: ServerResponse, surface: Surface, model: unknown): Promise<void> {
    if (request.malformedBody) return send(response, surface, 400, malformedJson());
    const body = (request.body ?? {}) as ChatBody;
    if (typeof model !== 'string' || model === '') return send(response, surface, 400, openAIError('you must provide a model parameter'));
    if (!Array.isArray(body.messages)) return send(response, surface, 400, missingParameter('messages'));
    const followed = this.follow(response, body.stream === true);
    const outcome = await this.playScriptedStart(followed, (error) => this.errorAnswer(surface, error, 'chat', model));
    if (outcome.answered) return;

    const plan = planAnswer({
      words: this.words,
      maxTokens: firstNumber(body.max_completion_tokens, body.max_tokens),
      toolName: toolToCall(body.tools, body.messages, body.tool_choice),
      json: body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema',
    });
    const identity = { id: `chatcmpl-peer${String(++this.answered).padStart(8, '0')}`, created: Math.floor(Date.now() / 1000), model };
    const tokens = { prompt: promptTokens(body.messages), completion: completionTokens(plan) };
    if (!followed.streaming) return send(response, surface, 200, chatCompletion(identity, plan, tokens, surface.dialect));
    const frames = chatCompletionStream(identity, plan, tokens, body.stream_options?.include_usage === true, surface.dialect);
    const ending = { terminator: SSE_DONE, errorFrame: (error: unknown) => sseErrorFrame(error ?? surface.streamError) };
    await this.writeStream(followed, 200, { ...surface.headers(), ...SSE_CONTENT }, frames, ending, outcome.fault);
  }

  private async embeddings(request: ModelPeerRequest, response: ServerResponse, surface: Surface, model: unknown): Promise<void> {
    if (request.malformedBody) return send(response, surface, 400, malformedJson());
    const body = (request.body ?? {}) as EmbeddingBody;
    if (typeof model !== 'string' || model === '') return send(response, surface, 400, openAIError('you must provide a model parameter'));
    if (body.input === undefined) return send(response, surface, 400, openAIError("'input' is a required property"));
    const items = embeddingItems(body.input);
    if (!items)
      return send(response, surface, 400, openAIError("Invalid 'input': expected a string, an array of strings, or an array of token arrays.", 'invalid_request_error', 'input'));
    const outcome = await this.playScriptedStart(this.follow(response, false), (error) => this.errorAnswer(surface, error, 'embeddings', model));
    if (outcome.answered) return;

    const dimensions = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : DEFAULT_EMBEDDING_DIMENSIONS;
    const vectors = items.map((item) => embeddingVector(item, dimensions));
    send(response, surface, 200, embeddingList(model, vectors, body.encoding_format === 'base64', embeddingInputTokens(items)));
  }

  private errorAnswer(surface: Surface, error: ScriptedError, operation: Operation, model: string): PeerResponse {
    const defaults = surface.errorDefaults(error.status, operation, model);
    return { status: error.status, headers: { ...surface.headers(), ...JSON_CONTENT, ...defaults.headers, ...error.headers }, body: error.body ?? defaults.body };
  }

  private openAICredentialProblem(request: ModelPeerRequest): OpenAIErrorBody | undefined {
    const presented = /^Bearer (.*)$/i.exec(headerValue(request.headers, 'authorization') ?? '')?.[1].trim();
    if (!presented) return missingApiKey();
    return presented === this.apiKey ? undefined : incorrectApiKey(presented);
  }

  private openAISurface(request: ModelPeerRequest): Surface {
    const requestId = `req_${this.requestIdSuffix()}`;
    const organization = headerValue(request.headers, 'openai-organization');
    const project = headerValue(request.headers, 'openai-project');
    return {
      dialect: OPENAI_DIALECT,
      headers: () => ({
        'x-request-id': requestId,
        'openai-processing-ms': String(Math.round(performance.now() - request.receivedAt)),
        'openai-version': '2020-10-01',
        ...(organization ? { 'openai-organization': organization } : {}),
        ...(project ? { 'openai-project': project } : {}),
        ...rateLimitHeaders(this.rateLimit),
      }),
      errorDefaults: (status, _operation, model) => ({
        body: defaultOpenAIError(status, model),
        headers: status === 429 ? { 'retry-after': '1', ...exhaustedRateLimitHeaders(this.rateLimit) } : {},
      }),
      streamError: openAIError(SERVER_HAD_AN_ERROR, 'server_error').error,
    };
  }

  private azureSurface(apiVersion: string, deployment: string | undefined): Surface {
    const requestId = this.requestIdSuffix();
    return {
      dialect: AZURE_DIALECT,
      headers: () => azureHeaders(requestId, deployment, this.rateLimit),
      errorDefaults: (status, operation) => ({
        body: defaultAzureError(status, AZURE_OPERATION_NAMES[operation], apiVersion),
        headers: status === 429 ? AZURE_THROTTLED_HEADERS : {},
      }),
      // Azure streams OpenAI's error event unchanged.
      streamError: openAIError(SERVER_HAD_AN_ERROR, 'server_error').error,
    };
  }

  private requestIdSuffix(): string {
    return `peer${String(this.requests.length).padStart(12, '0')}`;
  }
}

function send(response: ServerResponse, surface: Surface, status: number, body: unknown): void {
  writeResponse(response, { status, headers: { ...surface.headers(), ...JSON_CONTENT }, body });
}

function firstNumber(...values: unknown[]): number | undefined {
  return values.find((value): value is number => typeof value === 'number');
}
