import { chatCompletionsProtocol } from '../../platform/models/chat-completions-protocol';
import { IntegrationError } from '../../platform/resilience/failure-classifier';

export const DEFAULT_API_VERSION = '2024-10-21';
/** `2024-10-21`, `2025-01-01-preview`. */
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
/** Azure's deployment names; `.` and `..` alone would be dot segments of the path. */
const DEPLOYMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/;

/** `configuration.apiVersion` when set and well formed, else {@link DEFAULT_API_VERSION}. */
export function apiVersionOf(configuration: Readonly<Record<string, unknown>>): string {
  return typeof configuration.apiVersion === 'string' && API_VERSION.test(configuration.apiVersion) ? configuration.apiVersion : DEFAULT_API_VERSION;
}

export function azureOpenAIConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const { apiVersion } = configuration;
  return apiVersion !== undefined && !(typeof apiVersion === 'string' && API_VERSION.test(apiVersion))
    ? ['configuration.apiVersion must be an Azure OpenAI api-version such as 2024-10-21 or 2025-01-01-preview']
    : [];
}

/** `/openai/deployments/{deployment}/…`: a target's model is its deployment's name. */
function deploymentPath(deployment: string, operation: string): string {
  if (!DEPLOYMENT.test(deployment)) {
    throw IntegrationError.validation('invalid_deployment', 'The model must be an Azure OpenAI deployment name: 1 to 64 letters, digits, ".", "_" or "-"');
  }
  return `/openai/deployments/${encodeURIComponent(deployment)}/${operation}`;
}

/**
 * The deployment is in the path, so the body carries no `model`: Azure would accept and ignore it, and
 * a recorded request naming the model twice would only invite the question which one counted.
 * `api-version` is added to every call by the descriptor's default query.
 */
export const AZURE_OPENAI_PROTOCOL = chatCompletionsProtocol({
  chatPath: (deployment) => deploymentPath(deployment, 'chat/completions'),
  embeddingsPath: (deployment) => deploymentPath(deployment, 'embeddings'),
  modelsPath: () => '/openai/models',
  modelInBody: false,
  ownedBy: 'azure-openai',
});
