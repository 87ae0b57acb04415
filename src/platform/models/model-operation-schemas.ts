import type { JsonSchema } from '../vendors/vendor-descriptor';

/** The JSON Schemas of the model operations: strict where a typo would go unnoticed, open inside vendor-shaped objects. */

const NUMBER_IN = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum }) as const;
const OPEN_OBJECT = { type: 'object', additionalProperties: true } as const;
const MODEL = { type: 'string', minLength: 1, maxLength: 256, description: 'The model (for a deployment-based API, the deployment name)' } as const;
const USER = { type: 'string', maxLength: 256, description: 'An end-user id the vendor may use for abuse monitoring' } as const;

const CONTENT_PART = { type: 'object', required: ['type'], additionalProperties: true, properties: { type: { type: 'string', minLength: 1 } } } as const;

const TOOL_CALL = {
  type: 'object',
  required: ['id', 'type', 'function'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    type: { const: 'function' },
    function: { type: 'object', required: ['name', 'arguments'], additionalProperties: true, properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
  },
} as const;

const MESSAGE = {
  type: 'object',
  required: ['role'],
  additionalProperties: true,
  properties: {
    role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
    content: { anyOf: [{ type: 'string' }, { type: 'null' }, { type: 'array', items: CONTENT_PART }] },
    name: { type: 'string', maxLength: 256 },
    tool_calls: { type: 'array', items: TOOL_CALL },
    tool_call_id: { type: 'string' },
  },
} as const;

const FUNCTION_TOOL = {
  type: 'object',
  required: ['type', 'function'],
  additionalProperties: true,
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name'],
      additionalProperties: true,
      properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, description: { type: 'string' }, parameters: OPEN_OBJECT, strict: { type: 'boolean' } },
    },
  },
} as const;

const TOOL_CHOICE = {
  anyOf: [
    { type: 'string', enum: ['none', 'auto', 'required'] },
    {
      type: 'object',
      required: ['type', 'function'],
      properties: { type: { const: 'function' }, function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    },
  ],
} as const;

const RESPONSE_FORMAT = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['text', 'json_object', 'json_schema'] },
    json_schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  },
} as const;

/**
 * Every top-level field is declared (a typo is a 400, not a silently ignored field): the usual
 * pass-through ones are listed; a field the gateway does not know yet is reached through the gateway's own surface.
 */
export const CHAT_INPUT: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'messages'],
  properties: {
    model: MODEL,
    messages: { type: 'array', minItems: 1, maxItems: 2048, items: MESSAGE },
    tools: { type: 'array', maxItems: 128, items: FUNCTION_TOOL },
    tool_choice: TOOL_CHOICE,
    parallel_tool_calls: { type: 'boolean' },
    response_format: RESPONSE_FORMAT,
    temperature: NUMBER_IN(0, 2),
    top_p: NUMBER_IN(0, 1),
    max_tokens: { type: 'integer', minimum: 1 },
    max_completion_tokens: { type: 'integer', minimum: 1 },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 4, items: { type: 'string' } }] },
    presence_penalty: NUMBER_IN(-2, 2),
    frequency_penalty: NUMBER_IN(-2, 2),
    seed: { type: 'integer' },
    n: { type: 'integer', minimum: 1, maximum: 128 },
    logprobs: { type: 'boolean' },
    top_logprobs: { type: 'integer', minimum: 0, maximum: 20 },
    logit_bias: { type: 'object', additionalProperties: { type: 'number' } },
    reasoning_effort: { type: 'string', enum: ['minimal', 'low', 'medium', 'high'] },
    user: USER,
  },
};

const USAGE = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: { prompt_tokens: { type: 'integer' }, completion_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
} as const;

/** The completion as the vendor sent it: its extra fields (content-filter results, service tier) kept. */
export const CHAT_OUTPUT: JsonSchema = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices'],
  properties: {
    id: { type: 'string' },
    object: { const: 'chat.completion' },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message', 'finish_reason'],
        properties: { index: { type: 'integer' }, message: OPEN_OBJECT, finish_reason: { type: ['string', 'null'] } },
      },
    },
    usage: USAGE,
  },
};

export const EMBEDDINGS_INPUT: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'input'],
  properties: {
    model: MODEL,
    input: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'string' } },
        { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
        { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'array', items: { type: 'integer', minimum: 0 } } },
      ],
    },
    dimensions: { type: 'integer', minimum: 1 },
    user: USER,
  },
};

export const EMBEDDINGS_OUTPUT: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'data', 'usage'],
  properties: {
    model: { type: 'string' },
    data: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'embedding'],
        properties: { index: { type: 'integer' }, embedding: { type: 'array', items: { type: 'number' } } },
      },
    },
    usage: { type: 'object', required: ['prompt_tokens', 'total_tokens'], properties: { prompt_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } } },
  },
};

export const MODELS_INPUT: JsonSchema = { type: 'object', additionalProperties: false, properties: {} };

export const MODELS_OUTPUT: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'created', 'owned_by'],
        properties: { id: { type: 'string' }, created: { type: 'integer' }, owned_by: { type: 'string' } },
      },
    },
  },
};
