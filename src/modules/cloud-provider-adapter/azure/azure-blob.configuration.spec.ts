import type { GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import type { IntegrationRun } from '../../../platform/runs/entities/integration-run.entity';
import { AZURE_CLOUD } from '../cloud.descriptors';
import { azureFailure } from './azure-blob-answers';
import { azureBlobBaseUrlOf, azureBlobConfigurationProblems, azureBlobPaths } from './azure-blob.configuration';

describe('an Azure Blob connection’s configuration', () => {
  it('names the account by its URL or its name, and the container', () => {
    expect(azureBlobConfigurationProblems({ accountUrl: 'https://acme.blob.core.windows.net', container: 'artifacts' })).toEqual([]);
    expect(azureBlobConfigurationProblems({ account: 'acme', container: 'artifacts', keyPrefix: 'tenants/acme/' })).toEqual([]);
    expect(azureBlobConfigurationProblems({ accountUrl: 'http://127.0.0.1:10000/devstoreaccount1', container: 'my-container-1' })).toEqual([]);
    expect(azureBlobConfigurationProblems({ accountUrl: 'https://files.example.com', account: 'acme', container: 'artifacts' })).toEqual([]);
  });

  it('says what is wrong in words', () => {
    expect(azureBlobConfigurationProblems({})).toEqual([
      'configuration.accountUrl or configuration.account is required',
      expect.stringContaining('configuration.container must be a container name'),
    ]);
    for (const container of ['ab', 'Artifacts', 'a--b', '-ab', 'ab-', 'a_b', 'a'.repeat(64)]) {
      expect(azureBlobConfigurationProblems({ account: 'acme', container })).toEqual([expect.stringContaining('configuration.container')]);
    }
    for (const accountUrl of [
      'ftp://acme.blob.core.windows.net',
      'https://acme.blob.core.windows.net/?sv=1',
      'https://u:p@acme.blob.core.windows.net',
      'http://127.0.0.1:10000/a/b',
      'not a url',
    ]) {
      expect(azureBlobConfigurationProblems({ accountUrl, container: 'artifacts' })).toEqual([expect.stringContaining('configuration.accountUrl must be')]);
    }
    expect(azureBlobConfigurationProblems({ account: 'Acme_Corp', container: 'artifacts' })).toEqual([expect.stringContaining('configuration.account must be')]);
    expect(azureBlobConfigurationProblems({ accountUrl: 'https://files.example.com', container: 'artifacts' })).toEqual([
      'configuration.account is required: the account URL does not name the account',
    ]);
    expect(azureBlobConfigurationProblems({ account: 'acme', container: 'artifacts', keyPrefix: 'no-slash' })).toEqual(['configuration.keyPrefix must end with /']);
  });

  it('calls the account’s origin, with Azurite’s account segment in the paths', () => {
    expect(AZURE_CLOUD.http?.baseUrlFrom?.({ account: 'acme', container: 'artifacts' })).toBe('https://acme.blob.core.windows.net');
    expect(azureBlobBaseUrlOf({ accountUrl: 'http://127.0.0.1:10000/devstoreaccount1/', container: 'artifacts' })).toBe('http://127.0.0.1:10000');
    expect(azureBlobBaseUrlOf({ container: 'artifacts' })).toBeUndefined();
    const azure = azureBlobPaths({ account: 'acme', container: 'artifacts' });
    expect(azure.container).toBe('/artifacts');
    expect(azure.blob('reports/q4 summary#1.pdf')).toBe('/artifacts/reports/q4%20summary%231.pdf');
    const azurite = azureBlobPaths({ accountUrl: 'http://127.0.0.1:10000/devstoreaccount1/', container: 'artifacts' });
    expect(azurite.container).toBe('/devstoreaccount1/artifacts');
    expect(azurite.blob('a/b.txt')).toBe('/devstoreaccount1/artifacts/a/b.txt');
  });
});

describe('Azure Blob’s failed answers', () => {
  const answer = (status: number, code?: string, headers: Record<string, string> = {}): GovernedResponse => ({
    run: { id: 'run-1' } as IntegrationRun,
    status,
    headers,
    latencyMs: 1,
    body: Buffer.from(code ? `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Said.\nRequestId:1\nTime:now</Message></Error>` : ''),
  });

  it('classifies them by status and Azure’s code, from the body or the x-ms-error-code header', () => {
    expect(azureFailure(answer(403, 'AuthenticationFailed'), 'read')).toMatchObject({
      category: 'Auth',
      code: 'azure_storage_auth_refused',
      message: expect.stringContaining('HTTP 403 AuthenticationFailed: Said.'),
    });
    expect(azureFailure(answer(403, undefined, { 'x-ms-error-code': 'AuthorizationPermissionMismatch' }), 'read').message).toContain('AuthorizationPermissionMismatch');
    expect(azureFailure(answer(503, 'ServerBusy'), 'read')).toMatchObject({ category: 'RateLimited', code: 'azure_storage_busy' });
    expect(azureFailure(answer(500, 'InternalError'), 'read')).toMatchObject({ category: 'Transient', code: 'azure_storage_failed' });
    expect(azureFailure(answer(416, 'InvalidRange'), 'read')).toMatchObject({ category: 'Validation', code: 'range_not_satisfiable' });
    expect(azureFailure(answer(404, 'ContainerNotFound'), 'list the objects')).toMatchObject({ category: 'Validation', code: 'azure_ContainerNotFound' });
    expect(azureFailure(answer(400, 'Md5Mismatch'), 'store')).toMatchObject({ category: 'Validation', code: 'azure_Md5Mismatch' });
  });
});
