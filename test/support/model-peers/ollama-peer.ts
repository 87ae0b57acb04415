import type { ServerResponse } from 'node:http';
import { headerValue, PeerResponse, writeResponse } from '../peer-http';
import { completionTokens, DEFAULT_EMBEDDING_DIMENSIONS, embeddingInputTokens, embeddingVector, planAnswer, promptTokens, toolToCall } from './deterministic-answers';
import { ModelPeerOptions, ModelPeerRequest, ModelPeerServer } from './model-peer-server';
import {
  defaultOllamaErrorMessage,
  fullModelName,
  modelNotFound,
  ndjsonErrorFrame,
  OLLAMA_STREAM_ERROR,
  ollamaChatAnswer,
  ollamaChatStream,
  ollamaEmbedAnswer,
  ollamaTags,
} from './ollama-wire';
import type { ScriptedError } from './scripting';

export interface OllamaPeerOptions extends ModelPeerOptions {
  /** When set, requests must carry `Authorization: Bearer <bearerToken>` (Ollama behind a proxy, or ollama.com). */
  bearerToken?: string;
  /** The models the peer has pulled (default `llama3.2`, `nomic-embed-text`). */
  models?: string[];
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  format?: unknown;
  options?: { num_predict?: unknown } | null;
  tools?: unknown;
}

interface EmbedBody {
  model?: unknown;
  input?: unknown;
  dimensions?: unknown;
}

const JSON_CONTENT = { 'content-type': 'application/json; charset=utf-8' };
const NDJSON_CONTENT = { 'content-type': 'application/x-ndjson' };

/**
 * Ollama's API: `/api/chat` (NDJSON streams by default, `format`, `options.num_predict`, tool calls with
 * object arguments), `/api/embed`, `/api/tags`, its `{"error": "…"}` bodies, and scripted faults.
 */
export class OllamaPeer extends ModelPeerServer {
  /** The pulled models, as `/api/tags` lists them. */
  models: string[];
  /** Answer models that were not pulled too (default true); false makes them 404 as Ollama does. */
  acceptAnyModel = true;
  private readonly bearerToken: string | undefined;

  private constructor(options: OllamaPeerOptions) {
    super(options);
    this.bearerToken = options.bearerToken;
    this.models = options.models ?? ['llama3.2', 'nomic-embed-text'];
  }

  static async start(options: OllamaPeerOptions = {}): Promise<OllamaPeer> {
    const peer = new OllamaPeer(options);
    await peer.listen();
    return peer;
  }

  protected async handle(request: ModelPeerRequest, response: ServerResponse): Promise<void> {
    if (this.bearerToken !== undefined && headerValue(request.headers, 'authorization') !== `Bearer ${this.bearerToken}`) {
      return sendJson(response, 401, { error: 'unauthorized' });
    }
    const route = `${request.method} ${request.path}`;
    if (route === 'POST /api/chat') return this.chat(request, response);
    if (route === 'POST /api/embed') return this.embed(request, response);
    if (route === 'GET /api/tags') return sendJson(response, 200, ollamaTags(this.models));
    if (route === 'GET /api/version') return sendJson(response, 200, { version: '0.12.6' });
    if (route === 'GET /' || route === 'HEAD /') return writeResponse(response, { status: 200, body: 'Ollama is running' });
    // Go's router, not Ollama's JSON.
    writeResponse(response, { status: 404, body: '404 page not found' });
  }

  private async chat(request: ModelPeerRequest, response: ServerResponse): Promise<void> {
    const body = (request.body ?? {}) as ChatBody;
    const model = this.modelProblem(request, body.model);
    if (typeof model !== 'string') return writeResponse(response, model);
    // Ollama streams unless told not to.
    const followed = this.follow(response, body.stream !== false);
    const outcome = await this.playScriptedStart(followed, errorAnswer);
    if (outcome.answered) return;

    const numPredict = body.options?.num_predict;
    const plan = planAnswer({
      words: this.words,
      maxTokens: typeof numPredict === 'number' ? numPredict : undefined,
      toolName: toolToCall(body.tools, body.messages),
      json: body.format === 'json' || (typeof body.format === 'object' && body.format !== null),
    });
    const tokens = { prompt: promptTokens(body.messages), completion: completionTokens(plan) };
    if (!followed.streaming) return sendJson(response, 200, ollamaChatAnswer(model, plan, tokens, this.chunkDelayMs));
    const ending = { errorFrame: (error: unknown) => ndjsonErrorFrame(error ?? OLLAMA_STREAM_ERROR) };
    await this.writeStream(followed, 200, NDJSON_CONTENT, ollamaChatStream(model, plan, tokens, this.chunkDelayMs), ending, outcome.fault);
  }

  private async embed(request: ModelPeerRequest, response: ServerResponse): Promise<void> {
    const body = (request.body ?? {}) as EmbedBody;
    const model = this.modelProblem(request, body.model);
    if (typeof model !== 'string') return writeResponse(response, model);
    const input = body.input;
    const items = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'string') ? (input as string[]) : undefined;
    if (!items) return sendJson(response, 400, { error: 'invalid input type' });
    const outcome = await this.playScriptedStart(this.follow(response, false), errorAnswer);
    if (outcome.answered) return;

    const dimensions = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : DEFAULT_EMBEDDING_DIMENSIONS;
    sendJson(
      response,
      200,
      ollamaEmbedAnswer(
        model,
        items.map((item) => embeddingVector(item, dimensions)),
        embeddingInputTokens(items),
      ),
    );
  }

  /** The request's model, or the answer Ollama gives when the body, the model name or the model itself is wrong. */
  private modelProblem(request: ModelPeerRequest, model: unknown): string | PeerResponse {
    if (request.malformedBody) return { status: 400, headers: JSON_CONTENT, body: { error: 'invalid character looking for beginning of value' } };
    if (typeof model !== 'string' || model === '') return { status: 400, headers: JSON_CONTENT, body: { error: 'model is required' } };
    const pulled = this.models.some((name) => fullModelName(name) === fullModelName(model));
    if (!pulled && !this.acceptAnyModel) return { status: 404, headers: JSON_CONTENT, body: modelNotFound(model) };
    return model;
  }
}

function errorAnswer(error: ScriptedError): PeerResponse {
  return { status: error.status, headers: { ...JSON_CONTENT, ...error.headers }, body: error.body ?? { error: defaultOllamaErrorMessage(error.status) } };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  writeResponse(response, { status, headers: JSON_CONTENT, body });
}
