import { createPlatform } from './lib/platform';
import { loadSettings } from './lib/settings';

const platform = createPlatform(loadSettings());

export const helmValues = platform.helmValues;
export const resourceGroupName = platform.resourceGroupName;
export const kubernetesNamespace = platform.kubernetesNamespace;
export const clusterName = platform.clusterName;
export const oidcIssuerUrl = platform.oidcIssuerUrl;
export const serviceBusNamespaceName = platform.serviceBusNamespaceName;
export const keyVaultName = platform.keyVaultName;
export const storageBlobEndpoint = platform.storageBlobEndpoint;
export const payloadsContainer = platform.payloadsContainer;
export const postgresDatabase = platform.postgresDatabase;
export const databaseUrlSecretName = platform.databaseUrlSecretName;
export const redisUrlSecretName = platform.redisUrlSecretName;
export const kedaScalerClientId = platform.kedaScalerClientId;
export const roleAccess = platform.roleAccess;
