import type { AuthStrategy } from '../../platform/vendors/vendor-descriptor';

/** The Entra ID resource id of Azure DevOps: a token for it, with the `.default` scope, is what its REST API accepts. */
export const AZURE_DEVOPS_ENTRA_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

/**
 * A personal access token. Azure DevOps takes it as the password of HTTP Basic with an empty user name,
 * so the credential holds the PAT alone and the `:` is added here.
 */
export const AZURE_DEVOPS_PAT: AuthStrategy = {
  mode: 'azure-devops-pat',
  description: 'The credential is an Azure DevOps personal access token, sent as Authorization: Basic base64(":" + PAT)',
  needsCredential: true,
  credentialKinds: ['secret'],
  headers: async (context) => ({ authorization: `Basic ${Buffer.from(`:${await context.secret()}`).toString('base64')}` }),
};

/**
 * An Entra ID token for Azure DevOps from the process's own Azure credential (workload or managed
 * identity in production), so the connection stores no credential: the identity must be added to the
 * organisation as a user. The Azure credential caches and renews its tokens itself.
 */
export const AZURE_DEVOPS_ENTRA: AuthStrategy = {
  mode: 'azure-devops-entra',
  description: 'An Entra ID token for Azure DevOps from the platform’s workload identity (no stored credential), sent as Authorization: Bearer',
  needsCredential: false,
  headers: async (context) => ({ authorization: `Bearer ${await context.azureToken(AZURE_DEVOPS_ENTRA_SCOPE)}` }),
};

export const AZURE_DEVOPS_AUTH_STRATEGIES: readonly AuthStrategy[] = [AZURE_DEVOPS_PAT, AZURE_DEVOPS_ENTRA];
