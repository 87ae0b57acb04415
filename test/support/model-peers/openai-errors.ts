/** Error bodies as OpenAI's API and Azure OpenAI's data plane send them, word for word. */

export interface OpenAIErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}

export function openAIError(message: string, type = 'invalid_request_error', param: string | null = null, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** OpenAI echoes the rejected key, masked. */
export function incorrectApiKey(presented: string): OpenAIErrorBody {
  const masked = `${presented.slice(0, 5)}***${presented.slice(-2)}`;
  return openAIError(
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

export function missingApiKey(): OpenAIErrorBody {
  return openAIError(
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
  );
}

export function malformedJson(): OpenAIErrorBody {
  return openAIError(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  );
}

export function missingParameter(name: string): OpenAIErrorBody {
  return openAIError(`Missing required parameter: '${name}'.`, 'invalid_request_error', name, 'missing_required_parameter');
}

export function invalidUrl(method: string, path: string): OpenAIErrorBody {
  return openAIError(`Invalid URL (${method} ${path})`);
}

export const SERVER_HAD_AN_ERROR = 'The server had an error while processing your request. Sorry about that!';

export function defaultOpenAIError(status: number, model: string): OpenAIErrorBody {
  switch (status) {
    case 429:
      return openAIError(
        `Rate limit reached for ${model} in organization org-x on tokens per min (TPM): Limit 200000, Used 200000, Requested 20. Please try again in 6ms.`,
        'tokens',
        null,
        'rate_limit_exceeded',
      );
    case 503:
      return openAIError('The server is overloaded or not ready yet.', 'server_error');
    case 500:
      return openAIError(SERVER_HAD_AN_ERROR, 'server_error');
    case 502:
      return openAIError('Bad gateway.', 'server_error');
    case 401:
      return incorrectApiKey('sk-test-openai');
    default:
      return openAIError(`Error ${status}`, status >= 500 ? 'server_error' : 'invalid_request_error');
  }
}

export interface AzureErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export function azureError(code: string, message: string): AzureErrorBody {
  return { error: { code, message } };
}

export const AZURE_RESOURCE_NOT_FOUND = azureError('404', 'Resource not found');

export const AZURE_INVALID_KEY = azureError(
  '401',
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
);

export const AZURE_INVALID_TOKEN = azureError(
  '401',
  'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.',
);

/** `operation` is Azure's name for what was asked (`ChatCompletions_Create`, `Embeddings_Create`). */
export function defaultAzureError(status: number, operation: string, apiVersion: string): AzureErrorBody {
  switch (status) {
    case 429:
      return azureError(
        '429',
        `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.`,
      );
    case 500:
      return azureError('InternalServerError', SERVER_HAD_AN_ERROR);
    case 503:
      return azureError('ServiceUnavailable', 'The service is temporarily unable to process your request. Please try again later.');
    case 401:
      return AZURE_INVALID_KEY;
    case 404:
      return AZURE_RESOURCE_NOT_FOUND;
    default:
      return azureError(String(status), `Error ${status}`);
  }
}
