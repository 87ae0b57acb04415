import { createHash, createHmac } from 'node:crypto';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { AuthContext, AuthStrategy, SignableRequest } from '../../../platform/vendors/vendor-descriptor';

/** The scope of Entra ID tokens for the Communication Services data plane. */
export const ACS_TOKEN_SCOPE = 'https://communication.azure.com//.default';

/**
 * The request signature Azure Communication Services documents
 * (https://learn.microsoft.com/azure/communication-services/tutorials/hmac-header-tutorial):
 * `VERB\n<path and query>\n<x-ms-date>;<host>;<x-ms-content-sha256>`, HMAC-SHA256 with the decoded access key.
 */
export function acsSignatureHeaders(request: SignableRequest, accessKey: Buffer, now: Date): Record<string, string> {
  const date = now.toUTCString();
  const contentHash = createHash('sha256')
    .update(request.body ?? '')
    .digest('base64');
  const stringToSign = `${request.method.toUpperCase()}\n${request.url.pathname}${request.url.search}\n${date};${request.url.host};${contentHash}`;
  const signature = createHmac('sha256', accessKey).update(stringToSign, 'utf8').digest('base64');
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

/** The access key of a credential that is the key itself or the resource's connection string (`endpoint=…;accesskey=…`). */
export function accessKeyOf(credential: string): Buffer {
  const fromConnectionString = /(?:^|;)\s*accesskey=([^;]+)/i.exec(credential)?.[1];
  const text = (fromConnectionString ?? credential).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text))
    throw IntegrationError.auth('acs_access_key_invalid', 'The credential is not an access key (base64) or a connection string holding one');
  return Buffer.from(text, 'base64');
}

/** The endpoint a connection string names, when the credential is one. */
export function endpointOf(connectionString: string): string | undefined {
  return /(?:^|;)\s*endpoint=([^;]+)/i.exec(connectionString)?.[1]?.trim();
}

export class AcsHmacStrategy implements AuthStrategy {
  readonly mode = 'acs-hmac';
  readonly description = 'HMAC-SHA256 request signature with the resource access key (or its connection string)';
  readonly needsCredential = true;

  async headers(context: AuthContext): Promise<Record<string, string>> {
    if (!context.request) throw IntegrationError.validation('acs_unsigned_request', 'Azure Communication Services calls are signed per request');
    return acsSignatureHeaders(context.request, accessKeyOf(await context.secret()), new Date());
  }
}

export class AcsEntraStrategy implements AuthStrategy {
  readonly mode = 'acs-entra';
  readonly description = "An Entra ID token from the platform's Azure identity (the identity needs a role on the resource)";
  readonly needsCredential = false;

  async headers(context: AuthContext): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await context.azureToken(ACS_TOKEN_SCOPE)}` };
  }
}
