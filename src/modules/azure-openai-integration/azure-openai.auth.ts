import type { AuthStrategy } from '../../platform/vendors/vendor-descriptor';

/** The Entra ID scope of Azure AI services, Azure OpenAI's data plane included. */
export const AZURE_OPENAI_ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * An Entra ID token for Azure OpenAI from the process's own Azure credential (workload or managed
 * identity in production), so the connection stores no credential: the identity needs a role such as
 * "Cognitive Services OpenAI User" on the resource. The Azure credential caches and renews its tokens itself.
 */
export const AZURE_OPENAI_ENTRA: AuthStrategy = {
  mode: 'azure-openai-entra',
  description: 'An Entra ID token for Azure OpenAI from the platform’s workload identity (no stored credential), sent as Authorization: Bearer',
  needsCredential: false,
  headers: async (context) => ({ authorization: `Bearer ${await context.azureToken(AZURE_OPENAI_ENTRA_SCOPE)}` }),
};
