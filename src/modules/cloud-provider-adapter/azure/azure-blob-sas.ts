import { createHmac } from 'node:crypto';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { AZURE_STORAGE_VERSION, type AzureSharedKey } from './azure-storage-shared-key';

/** The longest lifetime given to a SAS here: seven days, as S3's presigned URLs. */
export const MAX_SAS_EXPIRY_SECONDS = 604_800;

export interface BlobSasRequest {
  /** The blob's URL (its path encoded as sent). */
  readonly url: URL;
  readonly container: string;
  /** The blob's name, unencoded. */
  readonly blob: string;
  readonly method: 'GET' | 'PUT';
  readonly expiresSeconds: number;
  readonly now: Date;
}

/**
 * A service SAS for one blob (https://learn.microsoft.com/rest/api/storageservices/create-service-sas),
 * signed with the account key: read for GET, create and write for PUT, HTTPS only unless the endpoint
 * itself is http (Azurite). The version 2020-12-06 string to sign: permissions, start, expiry,
 * `/blob/<account>/<container>/<blob>`, identifier, IP, protocol, version, resource, snapshot time,
 * encryption scope and the five response-header overrides.
 */
export function blobSasUrl(request: BlobSasRequest, credentials: AzureSharedKey): URL {
  const { expiresSeconds } = request;
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_SAS_EXPIRY_SECONDS) {
    throw IntegrationError.validation('azure_sas_expiry_invalid', `A SAS expires after 1 to ${MAX_SAS_EXPIRY_SECONDS} seconds (seven days), not ${expiresSeconds}`);
  }
  const permissions = request.method === 'GET' ? 'r' : 'cw';
  const expiry = sasTime(new Date(request.now.getTime() + expiresSeconds * 1000));
  const protocol = request.url.protocol === 'https:' ? 'https' : 'https,http';
  const resource = `/blob/${credentials.account}/${request.container}/${request.blob}`;
  const stringToSign = [permissions, '', expiry, resource, '', '', protocol, AZURE_STORAGE_VERSION, 'b', '', '', '', '', '', '', ''].join('\n');
  const signature = createHmac('sha256', credentials.key).update(stringToSign, 'utf8').digest('base64');
  const url = new URL(request.url);
  for (const [name, value] of Object.entries({ sv: AZURE_STORAGE_VERSION, spr: protocol, se: expiry, sr: 'b', sp: permissions, sig: signature })) url.searchParams.set(name, value);
  return url;
}

/** ISO 8601 to the second, as SAS times are written (`2026-12-02T19:00:00Z`). */
function sasTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
