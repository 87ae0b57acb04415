import type { SchemaObject } from '@nestjs/swagger';
import { CHAT_INPUT, CHAT_OUTPUT, EMBEDDINGS_INPUT, EMBEDDINGS_OUTPUT, MODELS_OUTPUT } from '../model-operation-schemas';

/**
 * The API description of the chat-completions surface, from the model operations' schemas: the same
 * requests and answers, but fields the gateway does not check pass through to the vendor.
 */
export const CHAT_REQUEST_SCHEMA = {
  ...CHAT_INPUT,
  additionalProperties: true,
  properties: {
    ...(CHAT_INPUT.properties as object),
    stream: { type: 'boolean', description: 'Answer server-sent events (`text/event-stream`), ending with `data: [DONE]`' },
    stream_options: { type: 'object', additionalProperties: true },
  },
} as SchemaObject;

export const CHAT_COMPLETION_SCHEMA = CHAT_OUTPUT as SchemaObject;

export const EMBEDDINGS_REQUEST_SCHEMA = {
  ...EMBEDDINGS_INPUT,
  properties: { ...(EMBEDDINGS_INPUT.properties as object), encoding_format: { type: 'string', enum: ['float', 'base64'] } },
} as SchemaObject;

export const EMBEDDINGS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'model', 'data', 'usage'],
  properties: {
    object: { type: 'string', enum: ['list'] },
    model: { type: 'string' },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['object', 'index', 'embedding'],
        properties: {
          object: { type: 'string', enum: ['embedding'] },
          index: { type: 'integer' },
          embedding: {
            oneOf: [
              { type: 'array', items: { type: 'number' } },
              { type: 'string', description: '`encoding_format: base64`: the float32 little-endian bytes' },
            ],
          },
        },
      },
    },
    usage: (EMBEDDINGS_OUTPUT.properties as Record<string, SchemaObject>).usage,
  },
};

const MODEL_INFO = (MODELS_OUTPUT.properties as { data: { items: SchemaObject } }).data.items;

/** The models operation's answer in the wire format: `object` marks the list and each model. */
export const MODEL_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'data'],
  properties: {
    object: { type: 'string', enum: ['list'] },
    data: { type: 'array', items: { ...MODEL_INFO, required: ['id', 'object'], properties: { ...MODEL_INFO.properties, object: { type: 'string', enum: ['model'] } } } },
  },
};

/** `{error: {message, type, param, code}}`, as the chat-completions API answers (its SDKs raise typed errors from it). */
export const MODEL_API_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string', example: 'rate_limit_error' },
        param: { type: 'string', nullable: true },
        code: { type: 'string', nullable: true },
      },
    },
  },
};
