import { keyPrefixProblems } from '../object-storage/object-keys';

/** Container names (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata). */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Storage account names: 3 to 24 lower-case letters and digits. */
const ACCOUNT = /^[a-z0-9]{3,24}$/;
/** `<account>.blob.core.windows.net`, and the sovereign clouds' `<account>.blob.core.<suffix>`. */
const ACCOUNT_HOST = /^([a-z0-9]{3,24})\.blob\./;

export interface AzureBlobConfiguration {
  /** The account's blob endpoint with its path: `https://<account>.blob.core.windows.net`, `http://127.0.0.1:10000/devstoreaccount1` (Azurite). */
  readonly accountUrl: URL;
  readonly account: string;
  readonly container: string;
}

/** The account URL a configuration names (`accountUrl`, else the account's public endpoint), or undefined. */
function accountUrlOf(configuration: Readonly<Record<string, unknown>>): URL | undefined {
  const { accountUrl, account } = configuration;
  if (typeof accountUrl === 'string') return URL.canParse(accountUrl) ? new URL(accountUrl) : undefined;
  return typeof account === 'string' && ACCOUNT.test(account) ? new URL(`https://${account}.blob.core.windows.net`) : undefined;
}

/**
 * The account's name: `configuration.account`, else read from the URL: its host on Azure
 * (`<account>.blob.core.windows.net`), its first path segment in path style (Azurite, `/devstoreaccount1`).
 */
function accountOf(configuration: Readonly<Record<string, unknown>>, url: URL): string | undefined {
  if (typeof configuration.account === 'string') return configuration.account;
  const segment = url.pathname.split('/').filter(Boolean)[0];
  if (segment) return segment;
  return ACCOUNT_HOST.exec(url.hostname)?.[1];
}

export function azureBlobConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems = keyPrefixProblems(configuration);
  const { accountUrl, account, container } = configuration;
  if (accountUrl !== undefined) {
    const url = typeof accountUrl === 'string' && URL.canParse(accountUrl) ? new URL(accountUrl) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash || url.pathname.split('/').filter(Boolean).length > 1) {
      problems.push(
        'configuration.accountUrl must be the http(s) URL of a storage account’s blob endpoint (https://<account>.blob.core.windows.net, or http://127.0.0.1:10000/<account> for Azurite)',
      );
    }
  } else if (account === undefined) {
    problems.push('configuration.accountUrl or configuration.account is required');
  }
  if (account !== undefined && (typeof account !== 'string' || !ACCOUNT.test(account)))
    problems.push('configuration.account must be a storage account name (3–24 lower-case letters and digits)');
  if (typeof container !== 'string' || !CONTAINER.test(container)) {
    problems.push('configuration.container must be a container name (3–63 lower-case letters, digits and single dashes, starting and ending with a letter or digit)');
  }
  if (problems.length === 0 && !accountOf(configuration, accountUrlOf(configuration)!)) {
    problems.push('configuration.account is required: the account URL does not name the account');
  }
  return problems;
}

export function azureBlobConfigurationOf(configuration: Readonly<Record<string, unknown>>): AzureBlobConfiguration {
  const accountUrl = accountUrlOf(configuration)!;
  return { accountUrl, account: accountOf(configuration, accountUrl)!, container: String(configuration.container) };
}

/** The account's signing name, for the auth strategies (which see only the configuration). */
export function azureAccountOf(configuration: Readonly<Record<string, unknown>>): string | undefined {
  const url = accountUrlOf(configuration);
  return url ? accountOf(configuration, url) : undefined;
}

/** The connection's base URL: the account endpoint's origin (paths carry Azurite's account segment themselves). */
export function azureBlobBaseUrlOf(configuration: Readonly<Record<string, unknown>>): string | undefined {
  if (azureBlobConfigurationProblems(configuration).length > 0) return undefined;
  return azureBlobConfigurationOf(configuration).accountUrl.origin;
}

/**
 * The path of the container and of a blob in it, each key segment percent-encoded: `/<container>/<blob>`
 * on Azure, `/<account>/<container>/<blob>` where the account URL has the account in its path (Azurite).
 */
export function azureBlobPaths(configuration: Readonly<Record<string, unknown>>): { container: string; blob: (key: string) => string } {
  const { accountUrl, container } = azureBlobConfigurationOf(configuration);
  const containerPath = `${accountUrl.pathname.replace(/\/+$/, '')}/${container}`;
  return { container: containerPath, blob: (key) => `${containerPath}/${key.split('/').map(encodeURIComponent).join('/')}` };
}
