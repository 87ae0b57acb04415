/** Azure OpenAI's data-plane surface: its paths, its two credentials, its content filter annotations and headers. */
import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from '../peer-http';
import { AZURE_INVALID_KEY, AZURE_INVALID_TOKEN, AzureErrorBody } from './openai-errors';
import { rateLimitHeaders, type OpenAIRateLimit } from './openai-rate-limit';
import type { CompletionDialect } from './openai-wire';
import { OPENAI_MODELS } from './openai-wire';

export type AzureRoute = { readonly kind: 'chat' | 'embeddings'; readonly deployment: string } | { readonly kind: 'models' } | { readonly kind: 'unknown' };

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/** The route of a path under `/openai`; undefined for any other path. */
export function matchAzurePath(method: string, path: string): AzureRoute | undefined {
  if (path !== '/openai' && !path.startsWith('/openai/')) return undefined;
  const deployment = DEPLOYMENT_PATH.exec(path);
  if (deployment && method === 'POST') return { kind: deployment[2] === 'embeddings' ? 'embeddings' : 'chat', deployment: decodeURIComponent(deployment[1]) };
  if (path === '/openai/models' && method === 'GET') return { kind: 'models' };
  return { kind: 'unknown' };
}

/** Azure's names for the operations, as its 429 messages quote them. */
export const AZURE_OPERATION_NAMES = { chat: 'ChatCompletions_Create', embeddings: 'Embeddings_Create' } as const;

/** What is wrong with the request's credential, if anything: an `api-key`, or an Entra ID bearer token when the peer has one. */
export function azureCredentialProblem(headers: IncomingHttpHeaders, apiKey: string, bearerToken: string | undefined): AzureErrorBody | undefined {
  const key = headerValue(headers, 'api-key');
  if (key !== undefined) return key === apiKey ? undefined : AZURE_INVALID_KEY;
  const bearer = /^Bearer (.+)$/i.exec(headerValue(headers, 'authorization') ?? '');
  if (bearer) return bearerToken !== undefined && bearer[1] === bearerToken ? undefined : AZURE_INVALID_TOKEN;
  return AZURE_INVALID_KEY;
}

const SAFE = { filtered: false, severity: 'safe' } as const;
const CONTENT_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: { ...CONTENT_FILTER_RESULTS, jailbreak: { filtered: false, detected: false } } }];

/**
 * Azure's streams open with a chunk that has no choices, no id, no model and an empty `object`, only the
 * prompt's filter results; text chunks carry their own filter results, the others an empty object.
 */
export const AZURE_DIALECT: CompletionDialect = {
  leadingChunks: [{ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS }],
  chunkFields: {},
  contentChoiceFields: { content_filter_results: CONTENT_FILTER_RESULTS },
  emptyChoiceFields: { content_filter_results: {} },
  completionFields: { prompt_filter_results: PROMPT_FILTER_RESULTS },
};

export function azureHeaders(requestId: string, deployment: string | undefined, limit: OpenAIRateLimit): Record<string, string> {
  const { 'x-ratelimit-reset-requests': _requests, 'x-ratelimit-reset-tokens': _tokens, ...remainingAndLimits } = rateLimitHeaders(limit);
  return {
    'apim-request-id': requestId,
    'x-request-id': requestId,
    'x-ms-region': 'Sweden Central',
    ...(deployment ? { 'x-ms-deployment-name': deployment } : {}),
    ...remainingAndLimits,
  };
}

export function azureModelList(): Record<string, unknown> {
  return {
    data: OPENAI_MODELS.map((model) => ({
      status: 'succeeded',
      model: model.id,
      capabilities: model.id.startsWith('text-embedding')
        ? { fine_tune: false, inference: true, completion: false, chat_completion: false, embeddings: true }
        : { fine_tune: false, inference: true, completion: false, chat_completion: true, embeddings: false },
      lifecycle_status: 'generally-available',
      id: model.id,
      created_at: model.created,
      object: 'model',
    })),
    object: 'list',
  };
}
